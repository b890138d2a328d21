"""Any SQL database, pulled through SQLAlchemy: a table or a query, read with a saved column mapping.

Settings (live.toml): the secret ``url`` (a SQLAlchemy URL: ``postgresql+psycopg://user:pw@host/db``,
``mysql+pymysql://…``, ``mssql+pyodbc://…``; the driver must be installed), ``table`` (with
optional ``schema``) or ``query`` (a SELECT; it is wrapped as a subquery), ``mapping`` (the name of
a column mapping saved in the store: ``python -m connectors mapping save`` or the Upload page;
store/mappings.py), ``watermark`` (the column that grows when a row changes, default
``updated_at``: a timestamp, date or number), ``key`` (a unique column, default the column the
mapping reads ``source_id`` from), ``batch_rows`` (default 5000), ``lookback_s`` (default 300;
timestamp watermarks only), ``start`` (the first watermark; default: every row).

Reading: rows come in (watermark, key) order, ``batch_rows`` at a time, by keyset —
``WHERE wm > :w OR (wm = :w AND key > :k) ORDER BY wm, key`` — so rows sharing one watermark
value are never skipped however many there are. A page is written as CSV and read by
connectors/mapped.py with the mapping (header matching, value maps, constants, quarantine), in one
transaction with the cursor. A run that reaches the end starts the next one ``lookback_s`` before
the newest watermark seen (rows committed late with an earlier stamp are picked up); rows read
again collapse on their key. Rows whose watermark is empty are not read. Connection failures
retry with backoff; a bad query, a missing table or column, or refused credentials stop the
source with the database's message (the URL's password is never shown).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from connectors.live import http
from connectors.live.config import ConfigError, SourceConfig
from connectors.live.stream import Page, Stream
from store.db import open_store
from store.mappings import MappingError, get_mapping

_AUTH = re.compile(r"authenticat|password|permission denied|access denied|login failed|role .* does not exist", re.I)


def _encode(value: Any) -> dict[str, Any] | None:
    """A watermark or key value as JSON with its type."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"t": "date", "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {"t": "decimal", "v": str(value)}
    if isinstance(value, bool | int | float | str):
        return {"t": type(value).__name__, "v": value}
    return {"t": "str", "v": str(value)}


def _decode(item: dict[str, Any] | None) -> Any:
    if item is None:
        return None
    t, v = item["t"], item["v"]
    if t == "datetime":
        return dt.datetime.fromisoformat(v)
    if t == "date":
        return dt.date.fromisoformat(v)
    if t == "decimal":
        return Decimal(v)
    return v


def _utc(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    return None


class Rows(Stream):
    stream = "rows"
    kind_label = "SQL table or query"
    module = None

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        self.table, self.query = source.setting("table"), source.setting("query")
        if bool(self.table) == bool(self.query):
            raise ConfigError(f"source {source.name!r}: give either table or query for kind sql")
        self.mapping_name = str(source.required("mapping"))
        self.watermark = str(source.setting("watermark", "updated_at"))
        self.batch = int(source.setting("batch_rows", 5000))
        self.lookback = dt.timedelta(seconds=float(source.setting("lookback_s", 300)))
        self.url = sa.make_url(source.secret("url"))
        self._engine: sa.Engine | None = None
        self._mapping: dict[str, Any] | None = None

    def _spec(self) -> dict[str, Any]:
        if self._mapping is None:
            with open_store(self.db, wait_s=30.0) as con:
                try:
                    self._mapping = get_mapping(con, self.mapping_name)
                except MappingError as e:
                    raise ConfigError(f"source {self.source.name!r}: {e}") from e
        return self._mapping

    @property
    def key(self) -> str:
        key = self.source.setting("key") or self._spec()["columns"].get("source_id")
        if not key:
            raise ConfigError(f"source {self.source.name!r}: set key (the mapping maps no source_id column)")
        return str(key)

    def engine(self) -> sa.Engine:
        if self._engine is None:
            try:
                self._engine = sa.create_engine(self.url, pool_pre_ping=True)
            except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as e:
                raise http.Permanent(f"cannot use the database URL {self._shown_url()}: {e}") from e
        return self._engine

    def _shown_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def start_cursor(self) -> dict[str, Any]:
        start = self.source.setting("start")
        if isinstance(start, str):
            try:
                start = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
            except ValueError:
                pass
        return {"wm": _encode(start), "key": None}

    def statement(self, cursor: dict[str, Any]) -> sa.Select:
        prep = self.engine().dialect.identifier_preparer
        if self.table:
            src = sa.table(str(self.table), schema=self.source.setting("schema")).alias("src")
        else:
            src = sa.text(str(self.query).strip().rstrip(";")).columns().subquery("src")
        wm = sa.literal_column(f"src.{prep.quote(self.watermark)}")
        key = sa.literal_column(f"src.{prep.quote(self.key)}")
        stmt = sa.select(sa.text("src.*")).select_from(src).where(wm.is_not(None))
        w, k = _decode(cursor.get("wm")), _decode(cursor.get("key"))
        if w is not None and k is None:
            stmt = stmt.where(wm >= sa.bindparam("w", w))
        elif w is not None:
            stmt = stmt.where(
                sa.or_(wm > sa.bindparam("w", w), sa.and_(wm == sa.bindparam("w2", w), key > sa.bindparam("k", k)))
            )
        return stmt.order_by(wm, key).limit(self.batch)

    def fetch(self, cursor: dict[str, Any]) -> Page:
        spec = self._spec()
        try:
            with self.engine().connect() as conn:
                result = conn.execute(self.statement(cursor))
                header = list(result.keys())
                rows = [tuple(r) for r in result.fetchall()]
        except sa_exc.OperationalError as e:
            msg = self._message(e)
            if _AUTH.search(msg):
                raise http.Permanent(f"{self._shown_url()}: {msg}") from None
            raise http.Transient(f"{self._shown_url()}: {msg}") from None
        except (sa_exc.ProgrammingError, sa_exc.DataError, sa_exc.IntegrityError, sa_exc.NoSuchTableError) as e:
            raise http.Permanent(f"{self._shown_url()}: the query failed: {self._message(e)}") from None
        except sa_exc.DBAPIError as e:
            if e.connection_invalidated:
                raise http.Transient(f"{self._shown_url()}: connection lost: {self._message(e)}") from None
            raise http.Permanent(f"{self._shown_url()}: {self._message(e)}") from None
        lower = [h.lower() for h in header]
        for col in (self.watermark, self.key):
            if col.lower() not in lower:
                raise http.Permanent(
                    f"{self.source.name}: the result has no column {col!r} (it has {', '.join(header)})"
                )
        wi, ki = lower.index(self.watermark.lower()), lower.index(self.key.lower())
        if len(rows) >= self.batch:
            last = rows[-1]
            new = {"wm": _encode(last[wi]), "key": _encode(last[ki])}
            return Page(rows, new, True, None, f"{len(rows)} rows up to {self.watermark} = {last[wi]}", header, spec)
        newest = rows[-1][wi] if rows else _decode(cursor.get("wm"))
        restart = newest - self.lookback if isinstance(newest, dt.datetime) else newest
        new = {"wm": _encode(restart), "key": None}
        summary = f"{len(rows)} rows; caught up at {self.watermark} = {newest}"
        return Page(rows, new, False, _utc(newest), summary, header, spec)

    @staticmethod
    def _message(e: sa_exc.DBAPIError | sa_exc.SQLAlchemyError) -> str:
        orig = getattr(e, "orig", None)
        text = str(orig if orig is not None else e).strip().splitlines()
        return http.masked(text[0] if text else type(e).__name__)

    def cursor_text(self, cursor: dict[str, Any]) -> str:
        w = _decode(cursor.get("wm"))
        return f"{self.watermark} ≥ {w}" if w is not None else "from the first row"


def streams(source: SourceConfig) -> list[Stream]:
    return [Rows(source)]
