"""Overview (leadership): the ten-second answer — a verdict line, KPI tiles in their target colours
with the change since yesterday (or from the phase before, counts per day), the stale warning, and
the contacts behind a tile or a bar of the volume chart."""

import polars as pl
import streamlit as st

import metrics
import ui
from metrics.catalog import CATALOG, on
from metrics.freshness import freshness
from metrics.scope import PHASE_LABELS
from metrics.standup import YESTERDAY
from metrics.verdict import newest_age_h, phase_days, stale_text, verdict
from metrics.volume import rates_of
from ui import charts, data, drill, filters, first_paint, tables, tiles
from ui.export import download_buttons
from ui.text import md

ui.through_router()

view = filters.recall_view()  # sample data: app.py's notice heads every page
recall, phase, scope = view.recall, view.phase, view.scope
yesterday = view.at(scope.as_of - YESTERDAY)

st.title(md(recall["name"]))
st.caption(
    f"{md(recall['recall_id'])} · {md(recall.get('product') or '')} · {PHASE_LABELS[phase]} · "
    f"{view.describe()} · as of {scope.as_of:%Y-%m-%d %H:%M} UTC"
)
kpis = on("overview")
# A session's first run holds the places (the verdict, a stale warning, the tiles) before any read
# and fills them as the numbers come: the browser fetches the tiles' code meanwhile. Later runs draw
# each once, after their reads, the last numbers staying on screen until then.
first = first_paint.first_run()
# One structure on every run (a container holding each), so the second run's tiles replace the
# first run's in place; the first run's are st.empty places it can draw over.
boxes = (st.container(key="overview_verdict"), st.container(), st.container())
verdict_line, warning_line, tile_slot = (box.empty() if first else box for box in boxes)
if first:
    verdict_line.markdown("#### …")
    with tile_slot.container():
        tiles.skeleton(kpis, phase, scope.options)
# Below the tiles, drawn before their reads: the browser fetches its control's code with theirs.
with st.expander("Contacts behind a tile"):
    drill.tile_picker(view, phase, [m.id for m in kpis], "overview_behind")
targets = data.targets(view.version)


def result_of(metric, at=view):
    return at.read(metric.reader, *metric.measure_args(at.scope))


def draw_tiles(waiting: bool) -> None:
    with tile_slot.container():
        tiles.phase_tiles(
            kpis,
            result_of,
            phase,
            scope.options,
            targets,
            yesterday_of=lambda m: result_of(m, yesterday),
            days=view.read(phase_days, scope),
            waiting=waiting,
        )


fresh = view.read(freshness, scope.as_of)
warning = stale_text(fresh)
now = {m.id: m.reading(result_of(m), phase) for m in kpis}
age_h = newest_age_h(fresh)
answer = verdict([(m, now[m.id], None) for m in kpis], targets, age_h)
if first:  # the numbers into their places now, the change since yesterday once it is read
    verdict_line.markdown(f"#### {md(answer['text'])}")
    if warning:
        warning_line.error(md(warning), icon="⚠️")
    draw_tiles(waiting=phase == "all")
# The whole recall's tiles show the change since yesterday (as_of − 24 h); one phase's show the
# change from the phase before, so only the verdict's headline is read again 24 h earlier.
before = kpis if phase == "all" else [m for m in kpis if m.id == answer["headline"]]
if before:
    readings = [(m, now[m.id], m.reading(result_of(m, yesterday), phase) if m in before else None) for m in kpis]
    answer = verdict(readings, targets, age_h)
if before or not first:
    verdict_line.markdown(f"#### {md(answer['text'])}")
if not first:
    if warning:
        warning_line.error(md(warning), icon="⚠️")
    draw_tiles(waiting=False)
elif phase == "all":
    draw_tiles(waiting=False)
ready = first_paint.ready()  # a session's first run: the numbers first, charts and tables next

rate = CATALOG["contact_rate"]
# contact_rates from the volume the Contacts tile read (one scan of the contacts instead of two)
volumes = result_of(CATALOG["contacts"])
per_unit = rate.reading(rates_of(volumes, view.read(metrics.affected_units, scope)), phase)
st.caption(
    f"{rate.title(scope.options)}: {rate.unit.format(per_unit.value)} {rate.unit.symbol} "
    f"({per_unit.n:,} affected units)."
)

left, right = st.columns([3, 2])
with left:
    st.subheader(f"{CATALOG['contacts'].label} by channel")
    daily = view.read(metrics.volume, scope, "day")
    volume_chart = charts.channel_volume(daily, recall, phase)
    if ready:
        event = st.plotly_chart(volume_chart, key="overview_volume", on_select="rerun", selection_mode="points")
    else:
        event = first_paint.pending_chart(volume_chart, "overview_volume")
    if bar := drill.picked_bar(event):
        drill.contacts_table(view, "contacts", "all", "overview_bar", day=bar[0], channel=bar[1])
    else:
        st.caption("Click a bar for the contacts behind it.")
    with st.expander("Numbers behind the chart"):
        table = daily.pivot(on="channel", index="day", values="contacts").sort("day").fill_null(0)
        shown = tables.labels(table, scope.options)
        if ready:
            tables.show(table, "overview_volume_table", shown)
            download_buttons(table, "contacts_by_day", key="overview_volume", headers=shown.headers)
with right:
    st.subheader("Coverage of affected customers")
    cov = view.read(metrics.coverage_shares, scope).row(0, named=True)
    outside = view.read(metrics.funnel_outside, scope)
    funnel = charts.coverage_funnel(cov, outside)
    if ready:
        st.plotly_chart(funnel, key="overview_funnel")
    else:
        first_paint.pending_chart(funnel, "overview_funnel")
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
    row = {"phase": p}
    for m in kpis:
        row[m.id] = m.reading(result_of(m), p).value
    for m in shared_n.values():
        row[f"{m.id}_n"] = m.reading(result_of(m), p).n
    rows.append(row)
by_phase = pl.DataFrame(rows)
units = {f"{m.id}_n": f"{m.short or m.label} n" for m in shared_n.values()}
if ready:
    tables.show(by_phase, "overview_phases", tables.labels(by_phase, scope.options, *(m.id for m in kpis), **units))
else:
    first_paint.pending_table(by_phase.height, "overview_phases")
