"""Settings: metric targets, stale-data thresholds, the wall refresh, and the recall definitions.

Targets and thresholds are saved with store.settings.put; a recall is saved as a recall TOML
through the normal ingest path, so the ledger records every change.
"""

import streamlit as st

import ui
from metrics import Options
from metrics.catalog import targetable
from metrics.freshness import freshness
from metrics.units import Target
from store import ledger
from store.settings import STALE_AFTER_H
from ui import access, data, filters, live_status, recall_form
from ui.text import md

ui.through_router()

# The form's starting values for a metric without a target, by unit: (green, amber) as typed.
UNSET = {"pct": (80.0, 70.0), "s": (300.0, 420.0)}

st.title("Settings")
if data.read_only():
    st.error(data.READ_ONLY, icon="🔒")
    st.stop()
version = data.ledger_version()
data.busy_notice()
current = data.targets(version)

st.subheader("Targets (red / amber / green)")
st.caption(
    "Higher is better: green at or above *green*, amber at or above *amber*, else red. Lower is better: the "
    "reverse. A metric without a target stays neutral. Which way is better is the metric's own."
)
with st.form("settings_targets"):
    chosen = {}
    for m in targetable():
        t, scale, symbol = current.get(m.id), m.unit.scale, m.unit.symbol
        green, amber = (t.green * scale, t.amber * scale) if t else UNSET[m.unit.id]
        c = st.columns([3, 2, 2, 2])
        on = c[0].checkbox(m.title(Options()), value=t is not None, key=f"target_{m.id}_on", help=m.rule(Options()))
        g = c[1].number_input(f"Green ({symbol})", value=float(green), key=f"target_{m.id}_green", min_value=0.0)
        a = c[2].number_input(f"Amber ({symbol})", value=float(amber), key=f"target_{m.id}_amber", min_value=0.0)
        c[3].caption(f"better when {m.better}")
        higher = m.better == "higher"
        chosen[m.id] = {"green": g / scale, "amber": a / scale, "higher_is_better": higher} if on else None
    if st.form_submit_button("Save targets", key="settings_targets_save", type="primary"):
        wrong = [m.label for m in targetable() if chosen[m.id] and not Target(**chosen[m.id]).consistent()]
        if wrong:
            st.error("Green must be at least as good as amber: " + ", ".join(wrong) + ". Nothing saved.")
        else:
            data.save_setting("targets", chosen, access.actor())
            st.success("Targets saved.")
if any(m.target is None and current.get(m.id) is None for m in targetable()):
    missing = ", ".join(m.label for m in targetable() if m.target is None)
    st.caption(f"{missing}: no default target, as there is no authoritative benchmark.")

st.subheader("Stale data and wall screen")
stale = data.setting(version, "stale_hours")
sources = sorted(set(data.read(version, freshness, filters.as_of_now())["source"].to_list()))
with st.form("settings_stale"):
    left, right = st.columns(2)
    default = left.number_input(
        "Stale after (hours), default",
        0.5,
        24 * 90.0,
        float(stale.get("default", STALE_AFTER_H)),
        key="stale_default",
        help="A source is stale when its newest record is older.",
    )
    refresh = right.number_input(
        "Wall screen refresh (seconds)",
        5,
        3600,
        int(data.setting(version, "refresh_s")),
        key="settings_refresh_s",
        help="The Stand-up page's default; `?refresh=` overrides.",
    )
    cols = st.columns(3)
    per_source = {
        s: cols[i % 3].number_input(
            f"{md(s)} (hours)", 0.0, 24 * 90.0, float(stale.get(s, 0.0)), key=f"stale_{s}", help="0: use the default."
        )
        for i, s in enumerate(sources)
    }
    if st.form_submit_button("Save thresholds", key="settings_stale_save", type="primary"):
        by = access.actor()
        data.save_setting("stale_hours", {"default": default, **{s: h for s, h in per_source.items() if h > 0}}, by)
        data.save_setting("refresh_s", int(refresh), by)
        st.success("Thresholds and refresh saved.")

live_status.settings_section()

st.subheader("Recalls")
recalls = data.read(data.ledger_version(), ledger.recalls)
ids = recalls["recall_id"].to_list()
names = dict(zip(ids, recalls["name"].to_list(), strict=True))
pick = st.selectbox(
    "Recall",
    ["➕ New recall", *ids],
    index=len(ids),
    key="settings_recall",
    format_func=lambda r: f"{r} · {names[r]}" if r in names else r,
)
recall = None if pick not in ids else recalls.filter(recalls["recall_id"] == pick).row(0, named=True)
if recall is not None:
    with st.expander("Current definition (TOML)"):
        st.code(recall_form.to_toml(recall_form.fields_of(recall)), language="toml")
values = recall_form.form(recall, f"recall_{pick if recall else 'new'}")
if values is not None:
    errors = recall_form.problems(values, ids, new=recall is None)
    result, message = (
        (None, None) if errors else data.save_recall_toml(recall_form.to_toml(values), values["id"], access.actor())
    )
    if errors or message:
        st.error("Not saved. " + md(" ".join(errors or [message])))
    else:
        st.success(
            f"Recall {md(values['id'])} saved (ledger ingest #{result.ingest_id}: {result.inserted} inserted, "
            f"{result.updated} updated, {result.unchanged} unchanged)."
        )
