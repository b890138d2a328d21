"""The Alerts page's pieces (pages/alerts.py): alerts now or at a replayed moment, acknowledge and
silence, the rules as TOML (edit, enable, delete, import, export), and the history.

Everyone who may open the page sees; analysts and admins (ui/access.py ``edits_alerts``) act. Text
shown here has no customer emails or phones: reason texts are masked when read (alerts/text.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from alerts import history, rules, silences
from alerts.engine import evaluate
from alerts.model import RuleError
from metrics.base import now_utc
from ui import access, data
from ui.text import md

FLASH = "alerts_flash"
IMPORT_SEED = "alerts_rules_seed"  # (name, bytes) of a TOML file to import when the uploader holds none
NEW_RULE = """[[rule]]
id = "my-rule"
kind = "threshold"
name = "Phone service level below 60 %"
metric = "service_level"
channel = "phone"
critical = 0.6
warning = "none"
"""


def flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(md(message))


def done(message: str) -> None:
    st.session_state[FLASH] = message
    st.rerun()


def local(ts: datetime | None, zone: str) -> str:
    return "" if ts is None else ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).strftime("%d %b %H:%M")


def table(alerts: list[dict], zone: str) -> pl.DataFrame:
    rows = [
        {
            "Severity": a["severity"] or "",
            "State": a["state"],
            "What": a["what"],
            "Value": a["value_text"],
            "Rule": a["rule_text"],
            "Since": local(a["since"], zone),
            "Acknowledged": a["acknowledged"]["by"] if a["acknowledged"] else "",
            "Silenced": f"{a['silenced']['reason']} (until {local(a['silenced']['until'], zone)})"
            if a["silenced"]
            else "",
            "Rule id": a["rule"],
        }
        for a in alerts
    ]
    return pl.DataFrame(
        rows, schema=["Severity", "State", "What", "Value", "Rule", "Since", "Acknowledged", "Silenced", "Rule id"]
    )


def current(alerts: list[dict], zone: str) -> None:
    active = [a for a in alerts if a["state"] in ("firing", "recovering", "pending")]
    firing = [a for a in active if a["state"] != "pending"]
    critical = sum(1 for a in firing if a["severity"] == "critical")
    st.subheader(f"Firing: {critical} critical, {len(firing) - critical} warning")
    if active:
        st.dataframe(table(active, zone), key="alerts_active", hide_index=True, placeholder="—")
    else:
        st.info("No alert is firing or pending.")
    with st.expander(f"Every rule instance ({len(alerts)})"):
        st.dataframe(table(alerts, zone), key="alerts_all", hide_index=True, placeholder="—")


def _label(a: dict) -> str:
    return f"{a['severity'] or ''} · {a['what']} · {a['value_text']}".strip(" ·")


def actions(alerts: list[dict]) -> None:
    """Acknowledge a firing alert; silence an alert, a rule or everything for some hours."""
    firing = [a for a in alerts if a["state"] in ("firing", "recovering")]
    left, right = st.columns(2)
    with left:
        st.subheader("Acknowledge")
        open_ones = [a for a in firing if not a["acknowledged"]]
        if not open_ones:
            st.caption("Nothing firing waits for an acknowledgement.")
        else:
            pick = st.selectbox(
                "Alert", range(len(open_ones)), format_func=lambda i: _label(open_ones[i]), key="alerts_ack_pick"
            )
            if st.button("Acknowledge", key="alerts_ack", type="primary"):
                a = open_ones[pick]
                with data.store() as con:
                    silences.acknowledge(con, (a["rule"], a["recall_id"] or "", a["subject"]), access.actor())
                done(f"Acknowledged: {a['what']}. Repeat notifications of this episode stop.")
    with right:
        st.subheader("Silence")
        choices: list[tuple[str, dict]] = [
            (f"this alert: {_label(a)}", {"rule_id": a["rule"], "recall_id": a["recall_id"], "subject": a["subject"]})
            for a in firing
        ]
        for rule_id in sorted({a["rule"] for a in alerts}):
            choices.append((f"every alert of rule {rule_id}", {"rule_id": rule_id}))
        choices.append(("every alert", {}))
        pick = st.selectbox("What", range(len(choices)), format_func=lambda i: choices[i][0], key="alerts_silence_pick")
        hours = st.number_input("For (hours)", 0.25, 720.0, 4.0, 0.25, key="alerts_silence_hours")
        reason = st.text_input("Reason (required)", key="alerts_silence_reason", max_chars=500)
        if st.button("Silence", key="alerts_silence"):
            start = now_utc()
            try:
                with data.store() as con:
                    silences.add(
                        con,
                        starts_at=start,
                        ends_at=start + timedelta(hours=hours),
                        reason=reason,
                        by=access.actor(),
                        **choices[pick][1],
                    )
            except silences.SilenceError as e:
                st.error(md(str(e)))
            else:
                done(f"Silenced {choices[pick][0]} for {hours:g} h.")


def silence_list(zone: str, editable: bool) -> None:
    current = data.fresh(silences.listing, now_utc())  # the last list read while the store is busy
    st.subheader(f"Silences ({len(current)})")
    if not current:
        st.caption("No silence is in force or scheduled.")
        return
    frame = pl.DataFrame(
        [
            {
                "Id": s["id"],
                "Rule": s["rule"] or "any",
                "Subject": s["subject"] or "any",
                "Recall": s["recall"] or "any",
                "From": local(s["starts_at"], zone),
                "Until": local(s["ends_at"], zone),
                "Reason": s["reason"],
                "By": s["by"] or "",
            }
            for s in current
        ]
    )
    st.dataframe(frame, key="alerts_silences", hide_index=True, placeholder="—")
    if editable:
        ids = [s["id"] for s in current]
        pick = st.selectbox("Silence to end", ids, key="alerts_unsilence_pick")
        if st.button("End silence", key="alerts_unsilence"):
            with data.store() as con:
                silences.end(con, pick, access.actor())
            done(f"Silence {pick} ended.")


def rules_section(editable: bool) -> None:
    all_rules, problems = data.fresh(rules.load)
    for p in problems:
        st.warning(md(p))
    st.subheader(f"Rules ({len(all_rules)})")
    frame = pl.DataFrame(
        [
            {
                "Id": r.id,
                "Kind": r.kind,
                "Name": r.label,
                "Enabled": r.enabled,
                "Every (min)": r.every_min,
                "Pending for": r.pending_for,
                "Keep firing for": r.keep_firing_for,
                "Repeat (h)": r.repeat_h,
            }
            for r in all_rules
        ]
    )
    st.dataframe(frame, key="alerts_rules", hide_index=True, placeholder="—")
    st.download_button(
        "Download the rules (TOML)",
        rules.to_toml(all_rules),
        "recall-ops-alert-rules.toml",
        "application/toml",
        key="alerts_rules_export",
    )
    if not editable:
        st.caption("Analysts and admins edit rules.")
        return
    ids = ["(new rule)", *[r.id for r in all_rules]]
    pick = st.selectbox("Edit a rule", ids, key="alerts_rule_pick")
    rule = next((r for r in all_rules if r.id == pick), None)
    text = st.text_area(
        "The rule in TOML (docs/alerts.md lists every key)",
        rules.to_toml([rule]) if rule else NEW_RULE,
        height=260,
        key=f"alerts_rule_toml_{pick}",
    )
    save, toggle, delete = st.columns(3)
    if save.button("Save rule", key="alerts_rule_save", type="primary"):
        try:
            with data.store() as con:
                saved = rules.import_toml(con, text, access.actor())
        except RuleError as e:
            st.error(md(f"Not saved: {e}"))
        else:
            done(f"Saved {', '.join(r.id for r in saved)}.")
    if rule and toggle.button("Disable" if rule.enabled else "Enable", key="alerts_rule_toggle"):
        with data.store() as con:
            rules.save(con, replace(rule, enabled=not rule.enabled), access.actor())
        done(f"{rule.id} {'disabled' if rule.enabled else 'enabled'}.")
    if rule and delete.button("Delete", key="alerts_rule_delete"):
        with data.store() as con:
            rules.delete(con, rule.id, access.actor())
        done(f"{rule.id} deleted" + (" (a default rule: kept, disabled)." if rule.id in _defaults() else "."))
    upload = st.file_uploader("Import rules from a TOML file", type=["toml"], key="alerts_rules_upload")
    # The uploader's file, else one seeded as (name, bytes) in session_state (AppTest cannot drive
    # st.file_uploader; the Upload page does the same, ui/upload.py ``seeded_files``).
    name, content = (
        (upload.name, upload.getvalue()) if upload is not None else st.session_state.get(IMPORT_SEED, ("", b""))
    )
    if name and st.button("Import", key="alerts_rules_import"):
        try:
            with data.store() as con:
                saved = rules.import_toml(con, content, access.actor())
        except RuleError as e:
            st.error(md(f"{name}: nothing imported: {e}"))
        else:
            done(f"Imported {len(saved)} rule(s) from {name}.")


def _defaults() -> set[str]:
    with data.store() as con:
        return rules.default_ids(con)


def evaluate_now() -> None:
    if st.button("Evaluate now", key="alerts_evaluate"):
        with data.store() as con:
            changed = evaluate(con, now_utc())
        done(f"Evaluated: {len(changed)} rule instance(s) updated.")


def history_section(recall_id: str, zone: str) -> None:
    rows = data.fresh(history.events, recall_id)
    with st.expander(f"History (newest {len(rows)})"):
        frame = pl.DataFrame(
            [
                {
                    "When": local(r["at"], zone),
                    "Rule": r["rule"],
                    "Subject": r["subject"],
                    "What": r["kind"] if r["kind"] != "state" else f"{r['from_state']} → {r['to_state']}",
                    "Severity": r["severity"] or "",
                    "By": r["by"] or "",
                    "Note": r["note"] or "",
                }
                for r in rows
            ],
            schema=["When", "Rule", "Subject", "What", "Severity", "By", "Note"],
        )
        st.dataframe(frame, key="alerts_history", hide_index=True, placeholder="—")
