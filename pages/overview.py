"""Overview (leadership): where are we, per recall phase."""

import polars as pl
import streamlit as st

import ui
from metrics import Options, contact_rate
from metrics.scope import PHASE_LABELS
from ui import charts, data, filters, tiles
from ui.export import download_buttons
from ui.text import md

ui.through_router()

version, recall, phase, chosen = filters.recall_view()
if data.shows_sample_data():
    st.info("Showing the bundled **sample data** (a synthetic car-seat recall). Load your own exports to replace it.")

as_of = filters.as_of_now()
report = data.report(version, recall["recall_id"], as_of, Options(), chosen)

st.title(md(recall["name"]))
st.caption(
    f"{md(recall['recall_id'])} · {md(recall.get('product') or '')} · {PHASE_LABELS[phase]} · "
    f"as of {as_of:%Y-%m-%d %H:%M} UTC"
)
tiles.phase_kpis(report, phase)

units = data.units(version, recall["recall_id"])
rate = contact_rate(report["phases"][phase]["contacts"], units)
st.caption(
    f"Contact rate: {'—' if rate is None else f'{rate:,.1f}'} contacts per 1,000 affected units ({units:,} units)."
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Inbound contacts by channel")
    daily = data.volume(version, recall["recall_id"], as_of, "day", chosen)
    st.plotly_chart(charts.channel_volume(daily, recall, phase), key="overview_volume")
    with st.expander("Numbers behind the chart"):
        table = daily.pivot(on="channel", index="day", values="contacts").sort("day").fill_null(0)
        st.dataframe(table, key="overview_volume_table", hide_index=True)
        download_buttons(table, "contacts_by_day", key="overview_volume")
with right:
    st.subheader("Coverage of affected customers")
    st.plotly_chart(charts.coverage_funnel(report["coverage"]), key="overview_funnel")
    cov = report["coverage"]
    units_rate = cov["remedied_units"] / cov["affected_units"] if cov["affected_units"] else None
    st.caption(
        f"Units remedied: {cov['remedied_units']:,} of {cov['affected_units']:,}"
        + (f" ({units_rate:.1%} correction rate)" if units_rate is not None else "")
    )

st.subheader("By phase")
rows = [
    {
        "Phase": PHASE_LABELS[p],
        "Contacts": m["contacts"],
        "Handled": m["handled"],
        "FCR": m["fcr"]["rate"],
        "FCR n": m["fcr"]["n"],
        "AHT (s)": m["aht_s"]["all"],
        "Service level": m["service_level"]["rate"],
        "Abandon rate": m["abandon_rate"]["rate"],
        "CSAT": m["csat"]["rate"],
        "CSAT n": m["csat"]["n"],
    }
    for p, m in report["phases"].items()
]
st.dataframe(pl.DataFrame(rows), key="overview_phases", hide_index=True)
