"""Recall Ops served with its own routes: ``streamlit run serve.py`` (the README's command).

The same dashboard as ``streamlit run app.py`` (the router), plus:
- ``PUT /recall-ops/upload/{ticket}``, through which the Upload page writes uploaded files to disk
  as they arrive instead of holding them in server memory (ui/disk_upload.py);
- ``/recall-ops/hooks/{sendgrid,whatsapp,twilio}``, the vendors' webhooks, spooled to disk and
  loaded by a thread started with the server (ui/live_hooks.py).
"""

import streamlit as st

from ui import disk_upload, live_hooks, staging

disk_upload.MOUNTED = True
staging.start(disk_upload.sweep_all)  # at start-up: folders a stopped server left; then every 10 minutes
app = st.App("app.py", routes=[disk_upload.route(), *live_hooks.routes()], lifespan=live_hooks.lifespan)
