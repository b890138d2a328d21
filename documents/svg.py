"""Static charts as SVG text, drawn here so that a document needs no browser or image service to get
its pictures (the PDF printer only lays them out). Every label is escaped.

- :func:`lines`: one or more series over days (or any ordered x), with dated marks;
- :func:`bars`: horizontal bars with a value label (funnels, rankings), optional reference lines.
- :func:`histogram`: counts in bins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from html import escape

FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#25d366", "#9467bd", "#e377c2", "#8c564b", "#7f7f7f")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _ticks(top: float, n: int = 4) -> list[float]:
    return [top * i / n for i in range(n + 1)]


def _num(v: float, pct: bool = False) -> str:
    if pct:
        return f"{v:.0%}"
    return f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:,.1f}"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" {FONT} font-size="11">'
        f'<rect width="{width}" height="{height}" fill="white"/>' + "".join(body) + "</svg>"
    )


def lines(
    xs: Sequence[date],
    series: dict[str, Sequence[float]],
    title: str,
    colors: dict[str, str] | None = None,
    marks: Sequence[tuple[date, str]] = (),
    width: int = 720,
    height: int = 300,
) -> str:
    """Series over ordered dates ``xs``; ``marks`` are dotted vertical lines with a label."""
    left, right, top, bottom = 48, 12, 40, 30
    w, h = width - left - right, height - top - bottom
    top_v = _nice_max(max((max(v) for v in series.values() if len(v)), default=0))
    n = max(len(xs) - 1, 1)

    def x(i: float) -> float:
        return left + w * i / n

    def y(v: float) -> float:
        return top + h - h * v / top_v

    body = [f'<text x="{left}" y="14" font-weight="bold" font-size="12">{escape(title)}</text>']
    for t in _ticks(top_v):
        body.append(f'<line x1="{left}" x2="{left + w}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e3e3e3"/>')
        body.append(f'<text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#555">{_num(t)}</text>')
    if xs:
        step = max(1, len(xs) // 8)
        for i in range(0, len(xs), step):
            body.append(
                f'<text x="{x(i):.1f}" y="{top + h + 16}" text-anchor="middle" fill="#555">{xs[i]:%d %b}</text>'
            )
    index = {d: i for i, d in enumerate(xs)}
    for k, (day, label) in enumerate(marks):
        if day in index:
            px = x(index[day])
            body.append(
                f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{top + h}" stroke="#888" stroke-dasharray="3,3"/>'
            )
            body.append(f'<text x="{px + 3:.1f}" y="{top + 10 + 11 * (k % 2)}" fill="#444" font-size="10">'
                        f"{escape(label)}</text>")  # fmt: skip
    legend_x = left
    for k, (name, values) in enumerate(series.items()):
        color = (colors or {}).get(name, PALETTE[k % len(PALETTE)])
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.6"/>')
        body.append(f'<rect x="{legend_x}" y="22" width="10" height="10" fill="{color}"/>')
        body.append(f'<text x="{legend_x + 13}" y="31">{escape(name)}</text>')
        legend_x += 20 + 7 * len(name)
    return _svg(width, height, body, title)


def bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    pct: bool = False,
    refs: Sequence[tuple[float, str]] = (),
    notes: Sequence[str] | None = None,
    color: str = "#4c78a8",
    width: int = 720,
) -> str:
    """Horizontal bars, one per label (None: drawn empty, labelled "—"), values printed beside them;
    ``refs`` are dashed reference lines (value, label); ``notes`` a text after each value."""
    left, right, top, row = 170, 60, 34 + 24 * bool(refs), 20
    height = top + row * len(labels) + 24
    w = width - left - right
    top_v = 1.0 if pct else _nice_max(max((v for v in values if v is not None), default=0))
    top_v = max(top_v, *(r for r, _ in refs)) if refs else top_v

    def x(v: float) -> float:
        return left + w * v / top_v

    body = [f'<text x="8" y="14" font-weight="bold" font-size="12">{escape(title)}</text>']
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        body.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(str(label))[:28]}</text>')
        if v is not None:
            body.append(
                f'<rect x="{left}" y="{y + 3}" width="{max(x(v) - left, 0.5):.1f}" height="{row - 6}" fill="{color}"/>'
            )
        text = "—" if v is None else _num(v, pct)
        if notes and notes[i]:
            text += f"  {notes[i]}"
        body.append(
            f'<text x="{(x(v) if v is not None else left) + 4:.1f}" y="{y + 13}" fill="#333">{escape(text)}</text>'
        )
    bottom = top + row * len(labels)
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="#999"/>')
    for k, (v, label) in enumerate(refs):
        px = x(v)
        body.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top - 4}" y2="{bottom}" stroke="#c0392b" stroke-dasharray="4,3"/>'
        )
        y = top - 6 - 11 * (k % 3)
        body.append(
            f'<text x="{px:.1f}" y="{y}" text-anchor="middle" fill="#c0392b" font-size="10">{escape(label)}</text>'
        )
    for t in _ticks(top_v):
        body.append(f'<text x="{x(t):.1f}" y="{bottom + 14}" text-anchor="middle" fill="#555">{_num(t, pct)}</text>')
    return _svg(width, height, body, title)


def histogram(edges: Sequence[tuple[float, float]], counts: Sequence[int], title: str, x_label: str,
              marks: Sequence[tuple[float, str]] = (), width: int = 720, height: int = 260) -> str:  # fmt: skip
    """Counts in bins [(start, end)]; ``marks`` are dashed vertical lines (value, label)."""
    left, right, top, bottom = 48, 12, 28, 38
    w, h = width - left - right, height - top - bottom
    body = [f'<text x="{left}" y="14" font-weight="bold" font-size="12">{escape(title)}</text>']
    if not edges:
        body.append(f'<text x="{left}" y="{top + 20}">no data</text>')
        return _svg(width, height, body, title)
    lo, hi = edges[0][0], edges[-1][1]
    span = (hi - lo) or 1.0
    top_v = _nice_max(max(counts))

    def x(v: float) -> float:
        return left + w * (v - lo) / span

    for t in _ticks(top_v):
        y = top + h - h * t / top_v
        body.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_num(t)}</text>')
    for (a, b), c in zip(edges, counts, strict=True):
        bh = h * c / top_v
        body.append(f'<rect x="{x(a):.1f}" y="{top + h - bh:.1f}" width="{max(x(b) - x(a) - 1, 0.5):.1f}" '
                    f'height="{bh:.1f}" fill="#72b7b2"/>')  # fmt: skip
    for v, label in marks:
        body.append(
            f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top}" y2="{top + h}" stroke="#333" stroke-dasharray="4,3"/>'
        )
        body.append(f'<text x="{x(v) + 3:.1f}" y="{top + 10}" font-size="10">{escape(label)}</text>')
    for t in _ticks(hi - lo, 5):
        body.append(
            f'<text x="{x(lo + t):.1f}" y="{top + h + 14}" text-anchor="middle" fill="#555">{_num(lo + t)}</text>'
        )
    body.append(f'<text x="{left + w / 2}" y="{height - 6}" text-anchor="middle" fill="#555">{escape(x_label)}</text>')
    return _svg(width, height, body, title)
