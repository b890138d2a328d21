"""Alerts and early warning: rules on metrics, sources and contact reasons, their states and
history, and notifications (docs/alerts.md). Above the store, beside metrics; never imports
streamlit. Evaluate with :func:`alerts.engine.evaluate`; read states with
:func:`alerts.history.states_at`.
"""
