"""Overview (leadership): where are we, per recall phase."""

import polars as pl
import streamlit as st

import metrics
import ui
from metrics.catalog import CATALOG, on
from metrics.scope import PHASE_LABELS
from ui import charts, filters, tiles
from ui.export import download_buttons
from ui.text import md

ui.through_router()

view = filters.recall_view()  # sample data: app.py's notice heads every page
recall, phase, scope = view.recall, view.phase, view.scope

st.title(md(recall["name"]))
st.caption(
    f"{md(recall['recall_id'])} · {md(recall.get('product') or '')} · {PHASE_LABELS[phase]} · "
    f"as of {scope.as_of:%Y-%m-%d %H:%M} UTC"
)
kpis = on("overview")


def result_of(metric):
    return view.read(metric.compute, *metric.measure_args(scope))


tiles.phase_tiles(kpis, result_of, phase, scope.options)

rate = CATALOG["contact_rate"]
per_unit = rate.reading(view.read(rate.compute, scope, "phase"), phase)
st.caption(
    f"{rate.title(scope.options)}: {rate.unit.format(per_unit.value)} {rate.unit.symbol} "
    f"({per_unit.n:,} affected units)."
)

left, right = st.columns([3, 2])
with left:
    st.subheader(f"{CATALOG['contacts'].label} by channel")
    daily = view.read(metrics.volume, scope, "day")
    st.plotly_chart(charts.channel_volume(daily, recall, phase), key="overview_volume")
    with st.expander("Numbers behind the chart"):
        table = daily.pivot(on="channel", index="day", values="contacts").sort("day").fill_null(0)
        st.dataframe(table, key="overview_volume_table", hide_index=True)
        download_buttons(table, "contacts_by_day", key="overview_volume")
with right:
    st.subheader("Coverage of affected customers")
    cov = view.read(metrics.coverage_shares, scope).row(0, named=True)
    outside = view.read(metrics.funnel_outside, scope)
    st.plotly_chart(charts.coverage_funnel(cov, outside), key="overview_funnel")
    correction = CATALOG["correction_rate"]
    st.caption(
        f"{CATALOG['remedied_units'].label}: {cov['remedied_units']:,} of {cov['affected_units']:,}"
        + (
            f" ({correction.unit.format(cov['correction_rate'])} {correction.label.lower()})"
            if cov["correction_rate"] is not None
            else ""
        )
    )

st.subheader("By phase")
shared_n = {}  # one n column per (function, denominator): SL, abandon rate and ASA share offered calls
for m in kpis:
    if m.n and m.sampled:
        shared_n.setdefault((m.compute, m.n), m)
rows = []
for p in (*metrics.scope.PHASES, "all"):
    row = {"Phase": PHASE_LABELS[p]}
    for m in kpis:
        row[m.header(scope.options)] = m.reading(result_of(m), p).value
    for m in shared_n.values():
        row[f"{m.short or m.label} n"] = m.reading(result_of(m), p).n
    rows.append(row)
formats = {m.header(scope.options): m.unit for m in kpis}
config = {h: st.column_config.NumberColumn(h, format="percent") for h, u in formats.items() if u.id == "pct"}
st.dataframe(pl.DataFrame(rows), key="overview_phases", hide_index=True, column_config=config)
