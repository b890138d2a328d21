"""Alerts and early warning: rules on metrics, sources and contact reasons, their states and
history, and notifications (docs/alerts.md). Above the store, beside metrics; never imports
streamlit.
"""

from alerts.engine import Context, evaluate
from alerts.history import firing, states_at

__all__ = ["Context", "evaluate", "firing", "states_at"]
