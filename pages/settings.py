"""Settings: metric targets, stale-data thresholds, the wall refresh, and the recall definitions.

Targets and thresholds are saved with store.settings.put; a recall is saved as a recall TOML
through the normal ingest path, so the ledger records every change.
"""

import streamlit as st

import ui
from store.settings import DEFAULT_TARGETS
from ui import data, filters, live_status, recall_form

ui.through_router()

TARGETS = {  # key: (label, unit, scale shown in the form)
    "service_level": ("Service level (answered in 20 s)", "%", 100),
    "abandon_rate": ("Abandon rate", "%", 100),
    "fcr": ("First contact resolution", "%", 100),
    "csat": ("CSAT", "%", 100),
    "asa_s": ("Avg speed of answer", "s", 1),
    "aht_s": ("Avg handle time", "s", 1),
}
UNSET = {"%": (80.0, 70.0, True), "s": (300.0, 420.0, False)}  # form defaults for a metric without a target

st.title("Settings")
version = data.ledger_version()
current = data.targets()

st.subheader("Targets (red / amber / green)")
st.caption(
    "Higher is better: green at or above *green*, amber at or above *amber*, else red. Lower is better: the "
    "reverse. A metric without a target stays neutral."
)
with st.form("settings_targets"):
    chosen = {}
    for key, (label, unit, scale) in TARGETS.items():
        t = current.get(key)
        green, amber, higher = (t.green * scale, t.amber * scale, t.higher_is_better) if t else UNSET[unit]
        c = st.columns([3, 2, 2, 2])
        on = c[0].checkbox(label, value=t is not None, key=f"target_{key}_on", help="Untick: no target.")
        g = c[1].number_input(f"Green ({unit})", value=float(green), key=f"target_{key}_green", min_value=0.0)
        a = c[2].number_input(f"Amber ({unit})", value=float(amber), key=f"target_{key}_amber", min_value=0.0)
        d = c[3].selectbox("Better when", ["higher", "lower"], index=0 if higher else 1, key=f"target_{key}_dir")
        chosen[key] = {"green": g / scale, "amber": a / scale, "higher_is_better": d == "higher"} if on else None
    if st.form_submit_button("Save targets", key="settings_targets_save", type="primary"):
        wrong = [
            TARGETS[k][0]
            for k, v in chosen.items()
            if v and (v["green"] < v["amber"]) == v["higher_is_better"] and v["green"] != v["amber"]
        ]
        if wrong:
            st.error("Green must be at least as good as amber: " + ", ".join(wrong) + ". Nothing saved.")
        else:
            data.save_setting("targets", chosen)
            st.success("Targets saved.")
if any(DEFAULT_TARGETS[k] is None and current.get(k) is None for k in TARGETS):
    st.caption("AHT ships without a target: there is no authoritative benchmark.")

st.subheader("Stale data and wall screen")
stale = data.setting(version, "stale_hours")
sources = sorted(set(data.freshness(version, filters.as_of_now())["source"].to_list()))
with st.form("settings_stale"):
    left, right = st.columns(2)
    default = left.number_input(
        "Stale after (hours), default",
        0.5,
        24 * 90.0,
        float(stale.get("default", 24.0)),
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
            f"{s} (hours)", 0.0, 24 * 90.0, float(stale.get(s, 0.0)), key=f"stale_{s}", help="0: use the default."
        )
        for i, s in enumerate(sources)
    }
    if st.form_submit_button("Save thresholds", key="settings_stale_save", type="primary"):
        data.save_setting("stale_hours", {"default": default, **{s: h for s, h in per_source.items() if h > 0}})
        data.save_setting("refresh_s", int(refresh))
        st.success("Thresholds and refresh saved.")

live_status.settings_section()

st.subheader("Recalls")
recalls = data.recalls(data.ledger_version())
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
    result, message = (None, None) if errors else data.save_recall_toml(recall_form.to_toml(values), values["id"])
    if errors or message:
        st.error("Not saved. " + " ".join(errors or [message]))
    else:
        st.success(
            f"Recall {values['id']} saved (ledger ingest #{result.ingest_id}: {result.inserted} inserted, "
            f"{result.updated} updated, {result.unchanged} unchanged)."
        )
