"""docs/canonical-format.md, generated from store/schema.py.

Regenerate with ``python -m store.docs > docs/canonical-format.md``; a test checks it is current.
"""

from __future__ import annotations

from store.schema import TABLES

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
  the recall's match rules decide (design §3).
- The `affected` table (registry) is read by the registry connector, which also accepts the header
  aliases of design §3 (`serial`, `customer_id`, `e-mail`, `mobile`…).
- A recall is defined by a TOML file (design §7), loaded the same way.
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
    "affected": "recall_id,unit_id,lot,customer_ref,customer_email,customer_phone,region,remedy,remedy_completed_at\n"
    "CS-2026-014,HCS-24-000123,L2311A,R-1001,ann.lee@example.com,312-555-0142,IL,replace,",
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
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {c.doc}{choices} |")
        out.append(f"\nExample:\n\n```csv\n{EXAMPLES[name]}\n```\n")
    return "\n".join(out)


if __name__ == "__main__":
    print(canonical_format_md(), end="")
