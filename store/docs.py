"""Documentation generated from store/schema.py: docs/canonical-format.md, and the table blocks of
docs/data-model.md (the text between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``).

Regenerate both with ``python -m store.docs --write`` (without ``--write`` the canonical format is
printed); tests/test_docs.py checks that both are current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

from store.schema import DUCKDB_TYPES, LEDGER_DDL, TABLES

INTRO = """# Canonical CSV format

Any system can export into Recall Ops with one CSV per table below. Headers are the column names
(any order; only the required ones must be present); load with
`python -m connectors ingest FILE... --db FILE [--recall ID] [--tz ZONE]` or the Upload page.

- Timestamps: ISO 8601 with `Z` or an offset (`2026-03-02T15:04:05Z`), RFC 2822, epoch seconds or
  milliseconds; without an offset they are read in the upload's zone (`--tz`, default the recall's)
  and the ledger records which zone was used.
- Durations (`_s`): seconds, or `H:MM:SS`; 0 to 86,400.
- Booleans: true/false, yes/no, 1/0. Lists: `tags` separated by spaces, commas, `;` or `|`;
  `campaign` by commas, `;` or `|` (campaign names may hold spaces).
- Emails are trimmed and lower-cased; phones are kept as written and normalized to E.164 with the
  recall's country.
- Every row is inserted, updated (same key seen again: the newest `updated_at` wins), unchanged,
  or quarantined with its row number, column and reason. Loading a file twice never double-counts.
- A row that names no `recall_id` belongs to the recall named at upload; a file with no match-rule
  column (`tags`, `queue`, `dialled_number`, `campaign`) also to the only recall defined; otherwise
  the recall's match rules decide ([recall assignment](data-model.md#recall-assignment)).
- The `affected` table (registry) is read by the registry connector, which also accepts the
  [header aliases](vendor-formats.md#registries) (`serial`, `customer_id`,
  `e-mail`, `mobile`…).
- A recall is defined by a [TOML file](cli.md#recall-toml), loaded the same way.
- What each table means, and the rules behind these: [data-model.md](data-model.md).
"""

EXAMPLES = {
    "contacts": "source,source_id,channel,direction,created_at,answered_at,is_abandoned,wait_s,talk_s,hold_s,"
    "wrap_s,queue,customer_phone\n"
    "five9,call-0001,phone,inbound,2026-03-02T15:20:11Z,2026-03-02T15:21:02Z,false,51,312,20,45,"
    "Recall Hotline,(312) 555-0142",
    "csat": "source,source_id,contact_source,contact_source_id,responded_at,score,scale\n"
    "five9,survey-9,five9,call-0001,2026-03-02T16:00:00Z,4,1-5",
    "notifications": "source,source_id,channel,customer_email,status,status_at,campaign\n"
    "sendgrid,msg-1:delivered,email,ann.lee@example.com,delivered,2026-03-02T15:30:00Z,cs2026014-notice",
    "affected": "recall_id,unit_id,lot,customer_ref,customer_email,customer_phone,region,supply_chain_level,remedy,"
    "remedy_completed_at,disposition,disposition_at\n"
    "CS-2026-014,HCS-24-000123,L2311A,R-1001,ann.lee@example.com,312-555-0142,IL,consumer,replace,,,",
}


def canonical_format_md() -> str:
    out = [INTRO]
    for name, table in TABLES.items():
        if name == "recalls" or not table.canonical:
            continue
        out.append(f"## `{name}`\n\n{table.doc} Natural key: `{', '.join(table.key)}`.\n")
        out.append("| column | type | required | meaning |\n|---|---|---|---|")
        for c in table.columns:
            choices = f" One of: {', '.join(c.choices)}." if c.choices else ""
            aliases = f" Header also read as: {', '.join(f'`{a}`' for a in c.aliases)}." if c.aliases else ""
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {c.doc}{choices}{aliases} |")
        out.append(f"\nExample:\n\n```csv\n{EXAMPLES[name]}\n```\n")
    return "\n".join(out)


DOCS = Path(__file__).resolve().parent.parent / "docs"
# The ledger's columns come from its DDL (store/schema.py); their meaning is written here, and a
# column without one (or a meaning without a column) stops the generation.
LEDGER_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "ingests": (
        "One row per file loaded (a zip member or a gunzipped file is a file of its own). Never deleted.",
        {
            "ingest_id": "Load number (sequence `ingest_seq`); every row the load wrote carries it.",
            "file_name": "The file as named at load; a zip member as `archive.zip/member`.",
            "sha256": "SHA-256 of the file's bytes (a `.gz` or zip member: once unpacked).",
            "connector": "The connector that read it (`zendesk_csv`, `registry`, `mapped`…).",
            "timezone": "IANA zone in which timestamps without an offset were read.",
            "recall_id": "The recall named at upload, else the only recall defined, else empty.",
            "rows_read": "Input records (rows of a CSV/XLSX, records of a JSON file) of the file's primary table.",
            "rows_inserted": "Records whose key was new to the store.",
            "rows_updated": "Records that replaced their key's stored row (which went to history), and records "
            "of the file that differ from a newer record with the same key.",
            "rows_unchanged": "Records identical to the stored row or older than it by version stamp, duplicates "
            "identical to the record kept, and records a connector folded (child call legs…).",
            "rows_quarantined": "Input records that loaded nothing; their reasons are in `quarantine`.",
            "loaded_at": "When the load's transaction began (UTC).",
            "loaded_by": "Upload page and the Settings page's recall form: the signed-in user's email "
            "(`open mode (localhost)` without sign-in); inbox: `watch:<user>`; bundled sample: `sample-data`; "
            "`ingest`: the operating-system user of the process.",
            "warnings": "The connector's warnings about the file; an undo adds `undone by <user>`.",
            "undone_at": "When the load was undone (UTC); empty while it stands.",
            "group_id": "The upload it belongs to: the `ingest_id` of the first file loaded from the same "
            "archive (the files of one `.zip` are one upload, undone together), else its own `ingest_id`.",
        },
    ),
    "quarantine": (
        "One row per rejected input value: a record failing several checks has several rows.",
        {
            "ingest_id": "The load (`ingests.ingest_id`).",
            "source_row": "The record: spreadsheet row of a CSV/XLSX (header = 1), else its number in the file.",
            "column_name": "The canonical column (or the vendor field) that failed; empty for a whole record.",
            "reason": "Why, in words (`cannot read wait_s value as float`, `channel must be one of …`).",
            "raw": "The value as written, up to 1,000 characters (a whole record: its JSON, up to 2,000; "
            "an over-long line: its first 200).",
            "record_id": "The record's own id (ticket id, ContactId, CallSid, `sg_event_id`, wamid, serial); "
            "empty when it has none.",
        },
    ),
    "holds": (
        "One row per stored row a load found and left as it was (counted *unchanged*): the later load holds "
        "it too, so that undoing the load that wrote it does not lose it ([undo](#undo)).",
        {
            "table_name": "The canonical table.",
            "key_h": "The row's key hash (`key_h`).",
            "held_ingest": "The load that wrote the stored version.",
            "by_ingest": "The later load that found it.",
            "source_row": "Its record in the later load's file.",
            "same": "True when the later record had the same values; false when it was older by version stamp.",
        },
    ),
}
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[a-z_]+) -->\n).*?(<!-- end generated -->)", re.S)


def table_md(name: str) -> str:
    """The generated block of a canonical table: key, versions, columns."""
    t = TABLES[name]
    version = (
        f"when a key is loaded again, the row with the later `{t.versioned_by}` wins"
        if t.versioned_by
        else "no version stamp: when a key is loaded again with other values, the later load wins"
    )
    links = "".join(f" `{h}` hashes `{', '.join(cols)}` (the linked row's key)." for h, cols in t.links.items())
    out = [
        f"{t.doc} Natural key: `{', '.join(t.key)}`; {version}. Each row also carries `ingest_id`, "
        f"`source_row` and `key_h`.{links}\n",
        "| column | type | SQL type | required | meaning |",
        "|---|---|---|---|---|",
    ]
    for c in t.columns:
        choices = f" One of: {', '.join(c.choices)}." if c.choices else ""
        out.append(
            f"| `{c.name}` | {c.type} | {DUCKDB_TYPES[c.type]} | {'yes' if c.required else ''} | {c.doc}{choices} |"
        )
    return "\n".join(out) + "\n"


def ledger_md(name: str) -> str:
    """The generated block of a ledger table: its DDL's columns with their meaning."""
    con = duckdb.connect()
    try:
        for statement in LEDGER_DDL:
            con.execute(statement)
        columns = con.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
    finally:
        con.close()
    doc, meanings = LEDGER_DOCS[name]
    missing = [c for c, _, _ in columns if c not in meanings]
    stale = sorted(set(meanings) - {c for c, _, _ in columns})
    if missing or stale:
        raise ValueError(f"{name}: LEDGER_DOCS lacks {missing} and has no column for {stale} (store/docs.py)")
    out = [f"{doc}\n", "| column | SQL type | may be empty | meaning |", "|---|---|---|---|"]
    out += [f"| `{c}` | {ty} | {'yes' if nullable == 'YES' else ''} | {meanings[c]} |" for c, ty, nullable in columns]
    return "\n".join(out) + "\n"


def generated_block(name: str) -> str:
    """The text of block ``name``: a canonical table or a ledger table."""
    if name in TABLES:
        return table_md(name)
    if name in LEDGER_DOCS:
        return ledger_md(name)
    raise KeyError(f"no generated block {name!r} (tables: {', '.join([*TABLES, *LEDGER_DOCS])})")


def block_names(text: str) -> list[str]:
    return [m["name"] for m in _BLOCK.finditer(text)]


def refresh_generated(text: str) -> str:
    """``text`` with every generated block rewritten from the schema."""
    return _BLOCK.sub(lambda m: m[1] + generated_block(m["name"]) + m[3], text)


def write() -> None:
    """Rewrite docs/canonical-format.md and the generated blocks of docs/data-model.md."""
    (DOCS / "canonical-format.md").write_text(canonical_format_md())
    model = DOCS / "data-model.md"
    model.write_text(refresh_generated(model.read_text()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        print(canonical_format_md(), end="")
