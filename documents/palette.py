"""The colours every chart uses, on the pages (ui/charts) and in the documents: one colour per
channel, one per coverage stage (metrics/coverage.py FUNNEL)."""

from __future__ import annotations

from metrics.coverage import FUNNEL

CHANNEL_COLORS = {
    "phone": "#1f77b4",
    "email": "#ff7f0e",
    "chat": "#2ca02c",
    "whatsapp": "#25d366",
    "sms": "#9467bd",
    "social": "#e377c2",
    "web": "#8c564b",
    "other": "#7f7f7f",  # a channel the vendor reports that is none of ours (Zendesk api, integrations…)
}
FUNNEL_COLORS = dict(zip(FUNNEL, ["#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518"], strict=True))
