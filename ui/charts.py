"""Plotly figures. One colour per channel everywhere (CHANNEL_COLORS)."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl

CHANNEL_COLORS = {
    "phone": "#1f77b4",
    "email": "#ff7f0e",
    "chat": "#2ca02c",
    "whatsapp": "#25d366",
    "sms": "#9467bd",
    "social": "#e377c2",
    "web": "#8c564b",
}
FUNNEL_LABELS = {
    "affected_customers": "Affected customers",
    "notified": "Notified",
    "reached": "Reached",
    "engaged": "Engaged",
    "remedied": "Remedied",
}


def volume_by_day(daily: pl.DataFrame, recall: dict) -> go.Figure:
    """Stacked bars of inbound contacts per local day and channel, phase starts marked."""
    fig = go.Figure()
    per_channel = daily.filter(pl.col("channel") != "all")
    for channel in sorted(per_channel["channel"].unique()):
        rows = per_channel.filter(pl.col("channel") == channel)
        fig.add_bar(
            x=rows["day"].to_list(),
            y=rows["contacts"].to_list(),
            name=channel,
            marker_color=CHANNEL_COLORS.get(channel, "#7f7f7f"),
            hovertemplate="%{x|%a %d %b}: %{y} " + channel + "<extra></extra>",
        )
    fig.update_layout(barmode="stack", height=360, margin=dict(l=10, r=10, t=30, b=10), legend_title="Channel")
    marks = {
        "Announced": recall["announced_at"],
        "Ongoing": recall["ongoing_from"],
        "Closed": recall.get("closed_at"),
    }
    for label, at in marks.items():
        if at is not None:
            day = at.date() if hasattr(at, "date") else at
            fig.add_vline(x=day - timedelta(hours=12), line_dash="dot", line_color="#888")
            fig.add_annotation(x=day, y=1.02, yref="paper", text=label, showarrow=False, font_size=11)
    return fig


def coverage_funnel(coverage: dict) -> go.Figure:
    """Affected → notified → reached → engaged → remedied (customers)."""
    keys = list(FUNNEL_LABELS)
    fig = go.Figure(
        go.Funnel(
            y=[FUNNEL_LABELS[k] for k in keys],
            x=[coverage[k] for k in keys],
            textinfo="value+percent initial",
            marker_color=["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518"],
        )
    )
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10))
    return fig


# --- Analysis pages (Channels & handling, Quality, Coverage) ---

FUNNEL_COLORS = dict(zip(FUNNEL_LABELS, ["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518"], strict=True))
GREY = "#b0b0b0"
HIDE_BELOW_N = 5
GREY_BELOW_N = 30
_MARGIN = dict(l=10, r=10, t=56, b=10)
_LEGEND = dict(orientation="h", yanchor="bottom", y=1.1, x=0, title=None, traceorder="normal")


def _local_day(at, tz: str):
    from datetime import UTC
    from zoneinfo import ZoneInfo

    return at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).date()


def phase_marks(fig: go.Figure, recall: dict, days: list, phase: str = "all") -> go.Figure:
    """Dotted lines at the phase starts that fall within ``days`` (local dates on the x axis),
    and the selected ``phase`` shaded."""
    if not days:
        return fig
    lo, hi = min(days), max(days)
    a = recall["announced_at"]
    starts = {
        "day_one": a,
        "during": a + timedelta(hours=24),
        "ongoing": recall.get("ongoing_from") or a + timedelta(hours=168),
        "after": recall.get("closed_at"),
    }
    labels = {"day_one": "Announced", "during": "", "ongoing": "Ongoing", "after": "Closed"}
    shifts = {"ongoing": 14}  # Announced and Ongoing are a week apart: keep their labels apart
    edges = {k: _local_day(v, recall["timezone"]) for k, v in starts.items() if v is not None}
    for key, day in edges.items():
        if lo <= day <= hi:
            fig.add_vline(x=day - timedelta(hours=12), line_dash="dot", line_color="#888", line_width=1)
            if labels[key]:
                fig.add_annotation(
                    x=day - timedelta(hours=12),
                    y=1.0,
                    yref="paper",
                    yanchor="bottom",
                    yshift=shifts.get(key, 0),
                    text=labels[key],
                    showarrow=False,
                    font_size=11,
                    xanchor="left",
                )
    if phase != "all":
        order = ["pre_announcement", "day_one", "during", "ongoing", "after"]
        start = edges.get(phase, lo) if phase != "pre_announcement" else lo
        nxt = order[order.index(phase) + 1] if phase != "after" else None
        end = edges.get(nxt, hi + timedelta(days=1)) if nxt else hi + timedelta(days=1)
        fig.add_vrect(
            x0=max(start, lo) - timedelta(hours=12),
            x1=min(end, hi + timedelta(days=1)) - timedelta(hours=12),
            fillcolor="#999",
            opacity=0.12,
            line_width=0,
            layer="below",
        )
    return fig


def channel_volume(daily: pl.DataFrame, recall: dict, phase: str = "all") -> go.Figure:
    """Stacked bars of inbound contacts per local day and channel, phase starts marked and the
    selected phase shaded."""
    fig = volume_by_day(daily.filter(pl.col("day").is_not_null()), recall)
    fig.layout.annotations, fig.layout.shapes = (), ()
    fig.update_layout(height=380, margin=_MARGIN, legend=_LEGEND, yaxis_title="contacts", hovermode="x unified")
    fig.update_traces(hovertemplate="%{y} " + "<extra>%{fullData.name}</extra>")
    return phase_marks(fig, recall, daily["day"].to_list(), phase)


def channel_mix(vol: pl.DataFrame, phase_labels: dict) -> go.Figure:
    """100 % stacked horizontal bars: each phase's contacts split by channel (phases with contacts)."""
    rows = vol.filter((pl.col("channel") != "all") & (pl.col("contacts") > 0))
    order = [p for p in phase_labels if p in set(rows["phase"])]
    fig = go.Figure()
    for channel in [c for c in CHANNEL_COLORS if c in set(rows["channel"])]:
        sub = rows.filter(pl.col("channel") == channel)
        share = dict(zip(sub["phase"], sub["share"], strict=True))
        count = dict(zip(sub["phase"], sub["contacts"], strict=True))
        fig.add_bar(
            y=[phase_labels[p] for p in order],
            x=[share.get(p, 0) for p in order],
            customdata=[count.get(p, 0) for p in order],
            orientation="h",
            name=channel,
            marker_color=CHANNEL_COLORS[channel],
            hovertemplate="%{y}: %{x:.1%} " + channel + " (%{customdata} contacts)<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=80 + 44 * len(order),
        margin=_MARGIN,
        legend=_LEGEND,
        xaxis=dict(tickformat=".0%", range=[0, 1]),
        yaxis=dict(autorange="reversed"),
    )
    return fig


def handle_time_bars(aht: pl.DataFrame, key: str = "channel") -> go.Figure:
    """Mean handle time per channel (bars, minutes) with the median (◆) and P90 (▲) beside it."""
    rows = aht.filter((pl.col("n") > 0) & (pl.col(key) != "all"))
    names = rows[key].to_list()
    minutes = {c: [None if v is None else v / 60 for v in rows[c]] for c in ("mean_s", "median_s", "p90_s")}
    colors = [CHANNEL_COLORS.get(n, "#7f7f7f") for n in names]
    fig = go.Figure()
    fig.add_bar(
        x=names,
        y=minutes["mean_s"],
        marker_color=colors,
        name="mean",
        showlegend=False,
        customdata=rows["n"].to_list(),
        hovertemplate="%{x}: mean %{y:.2f} min (n=%{customdata})<extra></extra>",
    )
    for col, label, symbol in (("median_s", "median", "diamond"), ("p90_s", "P90", "triangle-up")):
        fig.add_scatter(
            x=names,
            y=minutes[col],
            mode="markers",
            name=label,
            marker=dict(symbol=symbol, size=11, color="#333"),
            hovertemplate="%{x}: " + label + " %{y:.2f} min<extra></extra>",
        )
    fig.add_bar(x=[None], y=[None], name="mean", marker_color="#999")  # legend entry; bars take channel colours
    fig.update_layout(height=340, margin=_MARGIN, legend=_LEGEND, yaxis_title="minutes")
    return fig


def _target_line(fig: go.Figure, target, label: str, scale: float = 1.0, row_kw: dict | None = None) -> None:
    if target is None:
        return
    fig.add_hline(
        y=target.green * scale,
        line_dash="dash",
        line_color="#2e7d32",
        line_width=1,
        annotation_text=label,
        annotation_position="top left",
        annotation_font_size=11,
        **(row_kw or {}),
    )


def service_by_day(sl: pl.DataFrame, recall: dict, targets: dict, phase: str = "all") -> go.Figure:
    """Phone service level and abandon rate per local day (lines, %; days with fewer than 5 offered
    calls left out), their targets dashed; ASA per day below (seconds) with its target."""
    from plotly.subplots import make_subplots

    rows = sl.filter(pl.col("day").is_not_null())
    days, n = rows["day"].to_list(), rows["offered"].to_list()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.62, 0.38])
    for col, label, color in (("sl_rate", "service level", "#1f77b4"), ("abandon_rate", "abandon rate", "#d62728")):
        fig.add_scatter(
            x=days,
            y=[v if k >= HIDE_BELOW_N else None for v, k in zip(rows[col], n, strict=True)],
            customdata=n,
            mode="lines+markers",
            name=label,
            line=dict(color=color),
            marker_size=5,
            hovertemplate="%{x|%a %d %b}: " + label + " %{y:.1%} (offered %{customdata})<extra></extra>",
            row=1,
            col=1,
        )
    fig.add_bar(
        x=days,
        y=rows["asa_s"].to_list(),
        name="ASA",
        marker_color="#7f7f7f",
        hovertemplate="%{x|%a %d %b}: ASA %{y:.1f} s<extra></extra>",
        row=2,
        col=1,
    )
    sl_t, ab_t, asa_t = targets.get("service_level"), targets.get("abandon_rate"), targets.get("asa_s")
    if sl_t:
        _target_line(fig, sl_t, f"SL target {sl_t.green:.0%}", row_kw=dict(row=1, col=1))
    if ab_t:
        _target_line(fig, ab_t, f"abandon target {ab_t.green:.0%}", row_kw=dict(row=1, col=1))
    if asa_t:
        _target_line(fig, asa_t, f"ASA target {asa_t.green:.0f} s", row_kw=dict(row=2, col=1))
    fig.update_layout(height=480, margin=_MARGIN, legend=_LEGEND, hovermode="x unified")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(title_text="ASA (s)", row=2, col=1)
    phase_marks(fig, recall, days, phase)
    return fig


def backlog_lines(bl: pl.DataFrame, recall: dict, phase: str = "all") -> go.Figure:
    """Open tickets at the end of each local day, and the part of them older than 24 h."""
    days = bl["day"].to_list()
    fig = go.Figure()
    fig.add_scatter(
        x=days,
        y=bl["open_tickets"].to_list(),
        name="open",
        mode="lines",
        line=dict(color="#4c78a8"),
        fill="tozeroy",
        hovertemplate="%{x|%a %d %b}: %{y} open<extra></extra>",
    )
    fig.add_scatter(
        x=days,
        y=bl["aged_tickets"].to_list(),
        name="open > 24 h",
        mode="lines",
        line=dict(color="#d62728"),
        hovertemplate="%{x|%a %d %b}: %{y} open > 24 h<extra></extra>",
    )
    fig.update_layout(height=340, margin=_MARGIN, legend=_LEGEND, yaxis_title="tickets", hovermode="x unified")
    return phase_marks(fig, recall, days, phase)


def _rate_bars(x: list, rows: pl.DataFrame, colors: list, ci: bool, rate: str = "rate", n: str = "n") -> go.Figure:
    """Bars of a rate labelled with n: grey when n < 30, left out when n < 5, the 95 % interval
    (columns ci_low, ci_high) as error bars when ``ci``."""
    records = list(rows.iter_rows(named=True))
    shown = [r[rate] is not None and r[n] >= HIDE_BELOW_N for r in records]
    fig = go.Figure()
    labels = [
        f"{k}<br>n={r[n]}" + ("" if s or r[n] == 0 else " (hidden)") for k, r, s in zip(x, records, shown, strict=True)
    ]
    fig.add_bar(
        x=labels,
        y=[r[rate] if s else None for r, s in zip(records, shown, strict=True)],
        marker_color=[c if r[n] >= GREY_BELOW_N else GREY for c, r in zip(colors, records, strict=True)],
        customdata=[r[n] for r in records],
        error_y=dict(
            type="data",
            symmetric=False,
            color="#333",
            array=[r["ci_high"] - r[rate] if s else None for r, s in zip(records, shown, strict=True)],
            arrayminus=[r[rate] - r["ci_low"] if s else None for r, s in zip(records, shown, strict=True)],
        )
        if ci
        else None,
        hovertemplate="%{x}: %{y:.1%} (n=%{customdata})<extra></extra>",
    )
    fig.update_layout(height=340, margin=_MARGIN, yaxis=dict(tickformat=".0%", range=[0, 1.05]), showlegend=False)
    return fig


def rate_by_phase(
    frame: pl.DataFrame, phase_labels: dict, rate: str = "rate", n: str = "n", target=None, ci: bool = False
) -> go.Figure:
    """A rate per phase (``all`` last) as bars labelled with n, grey when n < 30, left out when
    n < 5, with the 95 % interval when ``ci`` and the target dashed."""
    rows = frame.filter(pl.col("phase").is_in(list(phase_labels)))
    fig = _rate_bars([phase_labels[p] for p in rows["phase"]], rows, ["#4c78a8"] * rows.height, ci, rate, n)
    if target is not None:
        _target_line(fig, target, f"target {target.green:.0%}")
    return fig


def rate_by_day(frame: pl.DataFrame, recall: dict, phase: str = "all", rate: str = "rate", n: str = "n") -> go.Figure:
    """A rate per local day (markers, grey when n < 30, left out when n < 5) with n as faint bars."""
    rows = frame.filter(pl.col("day").is_not_null())
    days, counts = rows["day"].to_list(), rows[n].to_list()
    values = [v if c >= HIDE_BELOW_N else None for v, c in zip(rows[rate], counts, strict=True)]
    from plotly.subplots import make_subplots

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=days,
        y=counts,
        name="n (eligible)",
        marker_color="#dde3ea",
        hovertemplate="%{x|%a %d %b}: n=%{y}<extra></extra>",
        secondary_y=True,
    )
    fig.add_scatter(
        x=days,
        y=values,
        customdata=counts,
        mode="lines+markers",
        name="rate",
        connectgaps=False,
        line=dict(color="#4c78a8"),
        marker=dict(color=[GREY if c < GREY_BELOW_N else "#4c78a8" for c in counts]),
        hovertemplate="%{x|%a %d %b}: %{y:.1%} (n=%{customdata})<extra></extra>",
        secondary_y=False,
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(
        showgrid=False, title_text="n", range=[0, 3 * max(counts or [1])], tickformat=",d", secondary_y=True
    )
    fig.update_layout(height=340, margin=_MARGIN, legend=_LEGEND, hovermode="x unified")
    return phase_marks(fig, recall, days, phase)


def csat_by_channel(frame: pl.DataFrame, target=None) -> go.Figure:
    """CSAT per channel with responses: bars in the channel colour (grey when n < 30, left out
    when n < 5) with the Wilson 95 % interval."""
    rows = frame.filter((pl.col("channel") != "all") & (pl.col("n") > 0))
    channels = rows["channel"].to_list()
    fig = _rate_bars(channels, rows, [CHANNEL_COLORS.get(c, "#7f7f7f") for c in channels], ci=True)
    if target is not None:
        _target_line(fig, target, f"target {target.green:.0%}")
    return fig


def reasons_bars(reasons: pl.DataFrame, top: int = 12) -> go.Figure:
    """Repeated contacts by first-contact reason (most frequent first), count and share."""
    rows = reasons.head(top)
    fig = go.Figure()
    fig.add_bar(
        y=rows["reason"].to_list(),
        x=rows["contacts"].to_list(),
        orientation="h",
        marker_color="#4c78a8",
        text=[f"{k} · {s:.0%}" for k, s in zip(rows["contacts"], rows["share"], strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x} repeated contacts<extra></extra>",
    )
    fig.update_layout(
        height=80 + 28 * max(rows.height, 1),
        margin=dict(l=10, r=60, t=10, b=10),
        yaxis=dict(autorange="reversed"),
        xaxis_title="repeated contacts",
        showlegend=False,
    )
    return fig


def switch_matrix(switches: pl.DataFrame) -> go.Figure:
    """Heat map: first contact channel (rows) → channel of the repeat (columns), counts."""
    seen = set(switches["first_channel"]) | set(switches["repeat_channel"])
    channels = [c for c in CHANNEL_COLORS if c in seen]
    count = {(f, t): k for f, t, k in switches.select("first_channel", "repeat_channel", "contacts").iter_rows()}
    z = [[count.get((f, t), 0) for t in channels] for f in channels]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=channels,
            y=channels,
            colorscale="Blues",
            showscale=False,
            text=z,
            texttemplate="%{text}",
            hovertemplate="first %{y} → repeat %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        height=120 + 40 * len(channels),
        margin=_MARGIN,
        xaxis=dict(title="repeat channel", side="top"),
        yaxis=dict(title="first contact channel", autorange="reversed"),
    )
    return fig


def coverage_rates(frame: pl.DataFrame, by: str, top: int = 15) -> go.Figure:
    """Notified / reached / engaged / remedied as a share of affected customers, per ``by`` group
    (the ``top`` groups with most affected units)."""
    rows = frame.head(top)
    groups = rows[by].to_list()
    fig = go.Figure()
    for key in ("notified", "reached", "engaged", "remedied"):
        rates = [k / a if a else None for k, a in zip(rows[key], rows["affected_customers"], strict=True)]
        fig.add_bar(
            x=groups,
            y=rates,
            name=FUNNEL_LABELS[key],
            marker_color=FUNNEL_COLORS[key],
            customdata=list(zip(rows[key].to_list(), rows["affected_customers"].to_list(), strict=True)),
            hovertemplate="%{x}: %{y:.1%} " + key + " (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        height=360,
        margin=_MARGIN,
        legend=_LEGEND,
        yaxis=dict(tickformat=".0%", range=[0, 1.05]),
        xaxis=dict(type="category"),
    )
    return fig


def coverage_over_time(daily: pl.DataFrame, recall: dict) -> go.Figure:
    """Cumulative notified, reached, engaged and remedied customers per local day; affected dashed."""
    days = daily["day"].to_list()
    fig = go.Figure()
    total = daily["affected_customers"].to_list()
    fig.add_scatter(
        x=days,
        y=total,
        name="Affected customers",
        mode="lines",
        line=dict(color=FUNNEL_COLORS["affected_customers"], dash="dash"),
        hovertemplate="%{x|%a %d %b}: %{y} affected<extra></extra>",
    )
    for key in ("notified", "reached", "engaged", "remedied"):
        fig.add_scatter(
            x=days,
            y=daily[key].to_list(),
            name=FUNNEL_LABELS[key],
            mode="lines",
            line=dict(color=FUNNEL_COLORS[key], width=2.5),
            customdata=[k / a if a else None for k, a in zip(daily[key], total, strict=True)],
            hovertemplate="%{x|%a %d %b}: %{y} " + key + " (%{customdata:.1%})<extra></extra>",
        )
    fig.update_layout(height=360, margin=_MARGIN, legend=_LEGEND, yaxis_title="customers", hovermode="x unified")
    moving = daily.filter(
        pl.any_horizontal(pl.col(k).diff() != 0 for k in ("notified", "reached", "engaged", "remedied"))
    )
    if moving.height and days:  # open on the weeks where something happened; zoom out for the rest
        fig.update_xaxes(range=[days[0] - timedelta(days=1), min(days[-1], moving["day"][-1] + timedelta(days=14))])
    return phase_marks(fig, recall, days)


def hours_histogram(hours: pl.DataFrame, summary: dict) -> go.Figure:
    """Histogram of hours from the announcement to the first notification; median and P90 marked."""
    fig = go.Figure(
        go.Histogram(
            x=hours["hours"].to_list(),
            marker_color="#72b7b2",
            nbinsx=40,
            hovertemplate="%{x} h: %{y} customers<extra></extra>",
        )
    )
    for key, label in (("median_h", "median"), ("p90_h", "P90")):
        if summary.get(key) is not None:
            fig.add_vline(
                x=summary[key],
                line_dash="dash",
                line_color="#333",
                annotation_text=f"{label} {summary[key]:.1f} h",
                annotation_position="top right",
                annotation_font_size=11,
            )
    fig.update_layout(
        height=340, margin=_MARGIN, xaxis_title="hours after the announcement", yaxis_title="customers", bargap=0.05
    )
    return fig


def ticket_times_bars(tt: pl.DataFrame, phase_labels: dict) -> go.Figure:
    """First reply and resolution time per phase (tickets), median (solid) and P90 (light), hours."""
    rows = tt.filter(pl.col("phase").is_in(list(phase_labels)) & ((pl.col("frt_n") > 0) | (pl.col("resolution_n") > 0)))
    x = [phase_labels[p] for p in rows["phase"]]
    fig = go.Figure()
    colors = {("frt", "median"): "#4c78a8", ("frt", "p90"): "#a9c4e0", ("resolution", "median"): "#f58518"}
    colors[("resolution", "p90")] = "#fbc894"
    for prefix, label in (("frt", "first reply"), ("resolution", "resolution")):
        for stat, name in (("median", "median"), ("p90", "P90")):
            hours = [None if v is None else v / 3600 for v in rows[f"{prefix}_{stat}_s"]]
            fig.add_bar(
                x=x,
                y=hours,
                name=f"{label} {name}",
                marker_color=colors[(prefix, stat)],
                customdata=rows[f"{prefix}_n"].to_list(),
                hovertemplate="%{x}: " + f"{label} {name}" + " %{y:.1f} h (n=%{customdata})<extra></extra>",
            )
    fig.update_layout(barmode="group", height=340, margin=_MARGIN, legend=_LEGEND, yaxis_title="hours")
    return fig
