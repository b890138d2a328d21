"""Recall Ops served with its own routes: ``streamlit run serve.py`` (the README's command).

The same dashboard as ``streamlit run app.py`` (the router), plus ``PUT /recall-ops/upload/{ticket}``,
through which the Upload page writes uploaded files to disk as they arrive instead of holding them
in server memory (ui/disk_upload.py), and the alert scheduler in a background thread for as long as
the server runs (alerts/scheduler.py; ``RECALL_OPS_ALERTS=off`` leaves it out).
"""

import streamlit as st

from alerts import scheduler
from ui import disk_upload

disk_upload.MOUNTED = True
app = st.App("app.py", routes=[disk_upload.route()], lifespan=scheduler.lifespan)
