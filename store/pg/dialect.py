"""DuckDB-dialect SQL — the one definition of every query (metrics/scope.py's CTEs, each
metric's body, the store's reads) — transpiled by SQLGlot to PostgreSQL, never kept twice.

Parameters: DuckDB's ``$name`` and ``?`` become psycopg's ``%(name)s`` and ``%(p<i>)s``
(:func:`to_postgres` returns the names in order for the ``?`` ones). A function with no PostgreSQL
equivalent that SQLGlot knows is rewritten here (:data:`_FUNCTIONS`), once for every query.
Transpiled text is cached per statement (metrics run the same few dozen statements again and again).
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlglot
from sqlglot import exp


def _md5_number_lower(node: exp.Anonymous) -> exp.Expression:
    """DuckDB's md5_number_lower(x): the lower 64 bits of x's MD5 as an unsigned integer, i.e. the
    last 8 bytes of the digest read little-endian. In PostgreSQL: the 16 hex digits of those bytes,
    reversed pairwise, read as hexadecimal into NUMERIC (see store/pg/migrations: the hash columns
    are NUMERIC(20))."""
    arg = node.expressions[0].sql(dialect="postgres")
    hexed = f"md5({arg})"
    swapped = " || ".join(f"substr({hexed}, {i}, 2)" for i in range(31, 16, -2))
    digits = " + ".join(
        f"(('x' || lpad(substr({swapped}, {i}, 4), 8, '0'))::bit(32)::bigint)::numeric * {16 ** (16 - i - 3)}"
        for i in range(1, 17, 4)
    )
    return sqlglot.parse_one(f"({digits})", read="postgres")


_MARK = "__recall_ops_param__"
_MARKED = re.compile(f"{_MARK}(\\w+?){_MARK}")

_FUNCTIONS = {"md5_number_lower": _md5_number_lower}


def _aggregates(expression: exp.Expression, select: exp.Select) -> bool:
    """``expression`` (of ``select``) holds an aggregate of ``select`` itself: not one inside a
    subquery (``greatest(x, (SELECT min(d) FROM t))`` is grouped by)."""
    return any(agg.find_ancestor(exp.Select) is select for agg in expression.find_all(exp.AggFunc))


def _group_by_all(select: exp.Select) -> None:
    """DuckDB's ``GROUP BY ALL``: every select expression holding no aggregate (PostgreSQL reads
    ``GROUP BY ALL`` otherwise); grouped by position, as the expressions may carry aliases."""
    positions = [
        exp.Literal.number(i)
        for i, e in enumerate(select.expressions, 1)
        if not _aggregates(e, select) and not isinstance(e.unalias(), exp.Star)
    ]
    select.set("group", exp.Group(expressions=positions) if positions else None)


def _having_aliases(select: exp.Select) -> None:
    """DuckDB lets HAVING name a select alias; PostgreSQL needs the aliased expression itself."""
    aliases = {e.alias: e.this for e in select.expressions if isinstance(e, exp.Alias)}
    having = select.args["having"]
    for column in list(having.find_all(exp.Column)):
        if not column.table and column.name in aliases:
            column.replace(aliases[column.name].copy())


def _sorted_distinct_list(node: exp.ArraySort) -> exp.Expression:
    """``list_sort(list_distinct(list(x)))``: ``array_agg(DISTINCT x ORDER BY x)`` (text sorts by
    bytes, as in DuckDB, in a database created with the C collation: docs/deployment.md)."""
    x = node.this.this.this.sql(dialect="postgres")
    return sqlglot.parse_one(f"ARRAY_AGG(DISTINCT {x} ORDER BY {x})", read="postgres")


def _arg_min_window(window: exp.Window) -> exp.Expression:
    """``arg_min(v, (k1, k2, …)) OVER w``: the ``v`` of the smallest key over the frame, as the last
    item of the smallest array [k1, k2, …, v] of text (``min(anyarray)``; the keys DuckDB compares
    here — instants as ISO text, ids — order the same as text in the C collation)."""
    arg = window.this
    keys = arg.expression.expressions if isinstance(arg.expression, exp.Tuple) else [arg.expression]
    items = [exp.cast(k.copy(), exp.DataType.build("text")) for k in [*keys, arg.this]]
    smallest = window.copy()
    smallest.set("this", exp.Min(this=exp.Array(expressions=items)))
    return sqlglot.parse_one(f"({smallest.sql(dialect='postgres')})[{len(items)}]", read="postgres")


def _comprehension(node: exp.Array) -> exp.Expression:
    """DuckDB's ``[f(v) FOR v IN list IF cond]``: ``ARRAY(SELECT f(v) FROM unnest(list) AS v WHERE cond)``."""
    c = node.expressions[0]
    where = f" WHERE {c.args['condition'].sql(dialect='postgres')}" if c.args.get("condition") else ""
    return sqlglot.parse_one(
        f"ARRAY(SELECT {c.this.sql(dialect='postgres')} FROM unnest({c.args['iterator'].sql(dialect='postgres')}) "
        f"AS _u({c.expression.sql(dialect='postgres')}){where})",
        read="postgres",
    )


def _arg_extreme(node: exp.ArgMax | exp.ArgMin, condition: exp.Expression | None = None) -> exp.Expression:
    """DuckDB's ``arg_max(v, k)`` / ``arg_min(v, k)`` (an aggregate): the ``v`` of the row with the
    largest / smallest ``k``, rows where ``v`` or ``k`` is NULL skipped, as
    ``(array_agg(v ORDER BY k DESC) FILTER (WHERE …))[1]``. A key tuple ``(k1, k2)`` orders by each
    field; DuckDB ranks a NULL field above every value (so first when descending)."""
    value = node.this.sql(dialect="postgres")
    key = node.expression
    keys = key.expressions if isinstance(key, exp.Tuple) else [key]
    way = "DESC NULLS FIRST" if isinstance(node, exp.ArgMax) else "ASC NULLS LAST"
    order = ", ".join(f"{k.sql(dialect='postgres')} {way}" for k in keys)
    kept = [f"{value} IS NOT NULL"]
    if not isinstance(key, exp.Tuple):
        kept.append(f"{key.sql(dialect='postgres')} IS NOT NULL")
    if condition is not None:
        kept.append(f"({condition.sql(dialect='postgres')})")
    return sqlglot.parse_one(
        f"(ARRAY_AGG({value} ORDER BY {order}) FILTER (WHERE {' AND '.join(kept)}))[1]", read="postgres"
    )


def _order_by_all(select: exp.Select) -> None:
    """DuckDB's ``ORDER BY ALL [DESC]``: by every select expression, left to right (by position)."""
    ordered = select.args["order"].expressions[0]
    select.set(
        "order",
        exp.Order(
            expressions=[
                exp.Ordered(this=exp.Literal.number(i), desc=ordered.args.get("desc"), nulls_first=False)
                for i in range(1, len(select.expressions) + 1)
            ]
        ),
    )


def _unpivot(node: exp.Subquery) -> exp.Expression:
    """DuckDB's ``UNPIVOT (SELECT …) ON a, b INTO NAME n VALUE v`` (every column unpivoted, NULL
    values left out as DuckDB does): a LATERAL ``VALUES`` list over the inner select."""
    pivot = node.this
    inner = pivot.this.sql(dialect="postgres")
    name = pivot.args["into"].this.name
    value = pivot.args["into"].expressions[0].name
    pairs = ", ".join(f"('{c.name}', _s.{c.name})" for c in pivot.expressions)
    return sqlglot.parse_one(
        f"(SELECT _v.{name}, _v.{value} FROM {inner} AS _s CROSS JOIN LATERAL (VALUES {pairs}) AS _v({name}, {value}) "
        f"WHERE _v.{value} IS NOT NULL)",
        read="postgres",
    )


def _asof(join: exp.Join) -> exp.Expression:
    """DuckDB's ``ASOF [LEFT] JOIN t AS l ON l.k = x.k AND l.at <= x.at``: for each row the one ``l``
    row whose ``at`` is nearest on the allowed side, as a ``LATERAL`` subquery (``ORDER BY … LIMIT 1``)."""
    alias = join.this.alias_or_name
    on = join.args["on"]
    (inequality,) = [c for c in on.find_all(exp.LTE, exp.GTE, exp.LT, exp.GT)]
    mine = inequality.this if inequality.this.table == alias else inequality.expression
    smaller = isinstance(inequality, (exp.LTE, exp.LT)) == (mine is inequality.this)  # l.at ≤ x.at
    order = "DESC" if smaller else "ASC"
    inner = f"SELECT * FROM {join.this.sql(dialect='postgres')} WHERE {on.sql(dialect='postgres')} "
    inner += f"ORDER BY {mine.sql(dialect='postgres')} {order} LIMIT 1"
    side = "LEFT JOIN" if join.side == "LEFT" else "JOIN"
    return sqlglot.parse_one(f"SELECT 1 FROM x {side} LATERAL ({inner}) AS {alias} ON TRUE", read="postgres").args[
        "joins"
    ][0]


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Join) and (node.args.get("method") or "").upper() == "ASOF":
        return _asof(node)
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Pivot) and node.this.args.get("unpivot"):
        unpivoted = _unpivot(node)
        unpivoted.set("alias", node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(f"_q{id(node)}")))
        return unpivoted
    if isinstance(node, exp.Filter) and isinstance(node.this, (exp.ArgMax, exp.ArgMin)):
        return _arg_extreme(node.this, node.expression.this)
    if isinstance(node, (exp.ArgMax, exp.ArgMin)) and not isinstance(node.parent, exp.Window):
        return _arg_extreme(node)
    if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Filter):
        node.set("this", exp.Paren(this=node.this))  # array_agg(…) FILTER (…)[i] needs brackets
    if isinstance(node, exp.Bracket) and isinstance(
        node.this, (exp.WithinGroup, exp.Window, exp.PercentileCont, exp.PercentileDisc)
    ):
        node.set("this", exp.Paren(this=node.this))  # percentile_cont(…) WITHIN GROUP (…)[i] needs brackets
    if (
        isinstance(node, exp.Array)
        and len(node.expressions) == 1
        and isinstance(node.expressions[0], exp.Comprehension)
    ):
        return _comprehension(node)
    if isinstance(node, exp.ArraySort) and isinstance(node.this, exp.ArrayDistinct):
        if isinstance(node.this.this, exp.ArrayAgg):
            return _sorted_distinct_list(node)
    if isinstance(node, exp.Window) and isinstance(node.this, exp.ArgMin):
        return _arg_min_window(node)
    if isinstance(node, exp.Subquery) and not node.alias and isinstance(node.parent, (exp.From, exp.Join)):
        node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{id(node)}")))  # PostgreSQL requires one
    if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
        return _FUNCTIONS[node.name.lower()](node)
    if (
        isinstance(node, exp.Select)
        and isinstance(node.args.get("group"), exp.Group)
        and node.args["group"].args.get("all")
    ):
        _group_by_all(node)
    if isinstance(node, exp.Select) and node.args.get("order"):
        first = node.args["order"].expressions[0].this
        if isinstance(first, exp.Var) and first.name.upper() == "ALL":
            _order_by_all(node)
    if isinstance(node, exp.Select) and node.args.get("having"):
        _having_aliases(node)
    if isinstance(node, exp.DateBin) and node.args.get("origin") is None:
        # time_bucket's origin for buckets under a month: 2000-01-01 00:00 (PostgreSQL requires one)
        node.set("origin", exp.cast(exp.Literal.string("2000-01-01"), exp.DataType.build("timestamp")))
    return node


@lru_cache(maxsize=512)
def to_postgres(sql: str) -> tuple[str, tuple[str, ...]]:
    """(PostgreSQL text with psycopg named parameters, names of the ``?`` parameters in order)."""
    positional: list[str] = []
    statements = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is None:
            continue

        def params(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Placeholder) and node.name in ("", "?"):
                name = f"p{len(positional)}"
                positional.append(name)
                return exp.Var(this=f"{_MARK}{name}{_MARK}")
            if isinstance(node, (exp.Parameter, exp.Placeholder)):
                return exp.Var(this=f"{_MARK}{node.name}{_MARK}")
            return node

        tree = tree.transform(params).transform(_rewrite)
        statements.append(tree.sql(dialect="postgres"))
    # A literal % (LIKE '%x') is doubled for psycopg, then the parameter marks become %(name)s.
    text = ";\n".join(statements).replace("%", "%%")
    return _MARKED.sub(r"%(\1)s", text), tuple(positional)
