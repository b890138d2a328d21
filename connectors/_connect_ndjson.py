"""Amazon Connect contact records as NDJSON (one object per line), read by DuckDB in batches.

The rules are connectors/amazon_connect.py's (shared: connectors/_connect_rules.py), record for
record: this module only reads faster (DuckDB's JSON reader, vectorised mapping) and in batches of
``BATCH_ROWS`` records, so memory follows the batch. Transfer legs are found in a first, narrow pass
and folded into their initial contact as in the per-record reader; legs whose initial contact is not
in the file are quarantined in the last part. A quarantined record's ``raw`` is its line, as the
per-record reader shows it. A record DuckDB cannot read as an object with these fields (a broken
line, ``Agent`` as text…) raises :class:`connectors.batches.ReadWhole`: the loader then reads the
file with the per-record reader, which names the broken line.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl

import connectors._connect_rules as rules
from connectors.base import REJECT_SCHEMA, Parsed, ReadContext, SourceFile, as_rejects
from connectors.batches import ReadWhole, whole_requested
from connectors.conform import conform
from connectors.values import normalize_phones
from store.schema import TABLES

BATCH_ROWS = 250_000
_STR = "VARCHAR"
_ENDPOINT = "STRUCT(Address VARCHAR, Type VARCHAR)"
_AGENT = (
    "STRUCT(Username VARCHAR, ConnectedToAgentTimestamp VARCHAR, AgentInteractionDuration VARCHAR, "
    "CustomerHoldDuration VARCHAR, AfterContactWorkDuration VARCHAR)"
)
_COLUMNS = {
    "ContactId": _STR,
    "InitialContactId": _STR,
    "Channel": _STR,
    "InitiationMethod": _STR,
    "InitiationTimestamp": _STR,
    "LastUpdateTimestamp": _STR,
    "DisconnectReason": _STR,
    "CustomerEndpoint": _ENDPOINT,
    "SystemEndpoint": _ENDPOINT,
    "Queue": "STRUCT(Name VARCHAR, Duration VARCHAR)",
    "Agent": _AGENT,
    "TransferredToEndpoint": _STR,
    "TransferCompletedTimestamp": _STR,
}
_FALSY = "('', 'null', 'false', '0', '0.0', '{}', '[]')"


def _scan(path: Path) -> str:
    cols = ", ".join(f"{k}: '{v}'" for k, v in _COLUMNS.items())
    quoted = str(path).replace("'", "''")
    return f"read_json('{quoted}', format = 'newline_delimited', columns = {{{cols}}})"


def _mapped_sql(path: Path, only_legs: bool) -> str:
    """One row per record, in file order: ``n`` (record number), the per-record reader's row
    columns as text, and ``method``, ``channel_u``, ``initial_id``, ``system_phone``."""

    def text(expr: str) -> str:
        return f"nullif({expr}, '')"

    inbound = ", ".join(f"'{m}'" for m in rules.INBOUND)
    outbound = ", ".join(f"'{m}'" for m in rules.OUTBOUND)
    transfer = ", ".join(f"'{m}'" for m in rules.TRANSFER)
    cust, system = text("CustomerEndpoint.Address"), text("SystemEndpoint.Address")
    rows = f"""
    SELECT row_number() OVER () AS n, *,
        upper(coalesce(Channel, '')) AS channel_u, upper(coalesce(InitiationMethod, '')) AS method
    FROM {_scan(path)}"""
    legs = (
        f"method IN ({transfer}) AND {text('InitialContactId')} IS NOT NULL "
        "AND InitialContactId IS DISTINCT FROM ContactId"
    )
    return f"""
    WITH x AS ({rows}),
    d AS (SELECT *,
        CASE WHEN method IN ({inbound}) OR (method = 'API' AND channel_u = 'CHAT') THEN 'inbound'
             WHEN method IN ({outbound}) OR method LIKE 'CAMPAIGN%' OR method = 'API' THEN 'outbound' END AS direction,
        CASE WHEN Agent IS NOT NULL THEN {text("Agent.ConnectedToAgentTimestamp")} END AS answered_at,
        CustomerEndpoint.Type = 'EMAIL_ADDRESS' OR coalesce(contains({cust}, '@'), false) AS is_email
        FROM x)
    SELECT n, method, channel_u, {text("InitialContactId")} AS initial_id,
        'amazon_connect' AS source, {text("ContactId")} AS source_id,
        CASE channel_u WHEN 'VOICE' THEN 'phone' WHEN 'CHAT' THEN 'chat' WHEN 'EMAIL' THEN 'email'
             WHEN '' THEN NULL ELSE 'other' END AS channel,
        direction, {text("InitiationTimestamp")} AS created_at, answered_at,
        {text("LastUpdateTimestamp")} AS updated_at, {text("DisconnectReason")} AS status,
        CASE WHEN direction = 'inbound' AND answered_at IS NULL THEN 'true' ELSE 'false' END AS is_abandoned,
        CASE WHEN coalesce(TransferredToEndpoint, '') NOT IN {_FALSY}
               OR coalesce(TransferCompletedTimestamp, '') NOT IN {_FALSY} THEN 'true' ELSE 'false' END
            AS is_transferred,
        {text("Queue.Duration")} AS wait_s, {text("Agent.AgentInteractionDuration")} AS talk_s,
        {text("Agent.CustomerHoldDuration")} AS hold_s, {text("Agent.AfterContactWorkDuration")} AS wrap_s,
        {text("Agent.Username")} AS agent, {text("Queue.Name")} AS queue,
        CASE WHEN coalesce(SystemEndpoint.Type, 'TELEPHONE_NUMBER') = 'TELEPHONE_NUMBER' THEN {system} END
            AS system_phone,
        CASE WHEN is_email THEN {cust} END AS customer_email,
        CASE WHEN NOT is_email THEN {cust} END AS customer_phone_raw,
        ({legs}) AS is_leg
    FROM d {"WHERE " + legs if only_legs else ""}"""


def applies(f: SourceFile) -> bool:
    """True for NDJSON without a BOM: the first line is one JSON object by itself."""
    head = f.head()
    if whole_requested() or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    first = head.lstrip(b" \t\r\n").split(b"\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


def read(f: SourceFile, ctx: ReadContext) -> Iterator[Parsed]:
    """The parts of the file (see the module docstring)."""
    con = duckdb.connect(config={"memory_limit": "256MB"})
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="recall-ops-legs") as pool:
            # Whether any record can be a leg is found while DuckDB reads the file for the main
            # pass (its numbering reads all of it before the first batch), not before it.
            may_have_legs = pool.submit(_may_have_legs, f.path)
            reader = con.sql(_mapped_sql(f.path, only_legs=False)).to_arrow_reader(BATCH_ROWS)
            batches = iter(reader)
            first = next(batches, None)
            by_initial: dict[str, list[dict]] = {}
            if may_have_legs.result():
                legs = _frame(con.cursor().sql(_mapped_sql(f.path, only_legs=True)).pl(), ctx)
                for leg in legs.filter(pl.col("channel_u") != "TASK").to_dicts():
                    by_initial.setdefault(leg["initial_id"], []).append(leg)
        found: set[str] = set()
        for batch in itertools.chain([first] if first is not None else [], batches):
            yield _part(f, _frame(pl.from_arrow(batch), ctx), by_initial, found, ctx)
    except duckdb.Error as e:
        raise ReadWhole(str(e)) from e
    finally:
        con.close()
    lost = [leg for initial, versions in by_initial.items() if initial not in found for leg in versions]
    rejects = [
        {
            "source_row": leg["n"],
            "column_name": "source_id",
            "reason": f"transfer leg of contact {leg['initial_id']}, which is not in this file "
            "(load the legs of a call together)",
        }
        for leg in lost
    ]
    yield Parsed(
        "contacts", {}, rows_read=0, rows_folded=-len(lost), rejects=_with_raw(f, pl.DataFrame(rejects)), warnings=[]
    )


def _may_have_legs(path: Path) -> bool:
    """False when no record can be a transfer leg: the bytes hold no ``TRANSFER"`` (the end of
    ``"TRANSFER"`` and ``"QUEUE_TRANSFER"``) and no ``\\u`` escape that could spell one. Saves
    the first pass over a file without transfers."""
    tail = b""
    with open(path, "rb") as fh:  # plain reads: a map of the file would count as resident memory
        while block := fh.read(4 * 1024 * 1024):
            # The block, then the seam with the last one (never a copy of the block); a lone
            # backslash is found at memory speed, so the slower two-byte search runs only after one.
            for data in (block, tail + block[:16]):
                if b'TRANSFER"' in data or (b"\\" in data and b"\\u" in data):
                    return True
            tail = block[-16:]
    return False


def _frame(frame: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    """Dialled numbers to E.164 (as the per-record reader does, with the upload's country)."""
    system = frame["system_phone"].cast(pl.String)
    distinct = system.unique().drop_nulls()  # a few numbers dialled many times: each parsed once
    phones = dict(zip(distinct.to_list(), normalize_phones(distinct, ctx.country).to_list(), strict=True))
    dialled = system.replace_strict(phones, default=None, return_dtype=pl.String) if phones else system
    return frame.with_columns(dialled.alias("dialled_number")).drop("system_phone")


def _part(f, frame: pl.DataFrame, by_initial: dict, found: set, ctx: ReadContext) -> Parsed:
    task = frame["channel_u"] == "TASK"
    legs = frame["is_leg"] & ~task
    undirected = frame["direction"].is_null() & ~task & ~legs
    own = [
        frame.filter(task).select(
            pl.col("n").alias("source_row"),
            pl.lit("channel").alias("column_name"),
            pl.lit("Channel TASK is an internal work item, not a customer contact").alias("reason"),
        ),
        frame.filter(undirected).select(
            pl.col("n").alias("source_row"),
            pl.lit("direction").alias("column_name"),
            pl.format(
                "InitiationMethod {} is not a customer contact (not loaded)",
                pl.when(pl.col("method") == "").then(pl.lit("(empty)")).otherwise(pl.col("method")),
            ).alias("reason"),
        ),
    ]
    rows = frame.filter(~task & ~legs & ~undirected)
    if by_initial:
        rows = _folded(rows, by_initial, found)
    calls = rows.with_columns(
        pl.when(pl.col("talk_s").cast(pl.Float64, strict=False).is_not_null())
        .then(
            (
                pl.col("talk_s").cast(pl.Float64, strict=False)
                + pl.col("hold_s").cast(pl.Float64, strict=False).fill_null(0)
                + pl.col("wrap_s").cast(pl.Float64, strict=False).fill_null(0)
            ).cast(pl.String)
        )
        .alias("handle_s")
    )
    cols = [c for c in TABLES["contacts"].names if c in calls.columns]
    typed, bad = conform("contacts", calls.select([*cols, pl.col("n").alias("source_row")]), ctx)
    rejects = _with_raw(f, pl.concat(own))
    return Parsed(
        "contacts",
        {"contacts": typed},
        rows_read=frame.height,
        rows_folded=int(legs.sum()),
        rejects=pl.concat([rejects, bad]),
    )


def _folded(rows: pl.DataFrame, by_initial: dict, found: set) -> pl.DataFrame:
    """Rows with their transfer legs folded in (connectors._connect_rules.fold), per record."""
    hit = rows["source_id"].is_in(list(by_initial))
    if not hit.any():
        return rows
    out = []
    for row in rows.filter(hit).to_dicts():
        versions: dict[str, list] = {}
        for leg in by_initial[row["source_id"]]:
            versions.setdefault(leg["source_id"] or f"#{leg['n']}", []).append((leg["n"], leg))
        newest = [max(v, key=lambda x: (rules.when(x[1]["updated_at"]), x[0]))[1] for v in versions.values()]
        rules.fold(row, sorted(newest, key=lambda r: rules.when(r["created_at"])))
        found.add(row["source_id"])
        out.append(row)
    folded = pl.DataFrame(out, schema=rows.schema)
    return pl.concat([rows.filter(~hit), folded]).sort("n")


def _with_raw(f: SourceFile, rejects: pl.DataFrame) -> pl.DataFrame:
    """Add ``raw``: each rejected record's line as the per-record reader shows it."""
    if rejects.height == 0:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    wanted = set(rejects["source_row"].to_list())
    raws: dict[int, str] = {}
    number = 0
    with open(f.path, encoding="utf-8-sig") as fh:
        for line in fh:
            if not line.strip():
                continue
            number += 1
            if number in wanted:
                raws[number] = json.dumps(json.loads(line), ensure_ascii=False)[:2000]
                if len(raws) == len(wanted):
                    break
    raw = rejects["source_row"].replace_strict(raws, default="", return_dtype=pl.String)
    return as_rejects(rejects.with_columns(raw.alias("raw")))
