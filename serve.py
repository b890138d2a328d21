"""Recall Ops served with its own routes: ``streamlit run serve.py`` (the README's command).

The same dashboard as ``streamlit run app.py`` (the router), plus:
- ``PUT /recall-ops/upload/{ticket}``, through which the Upload page writes uploaded files to disk
  as they arrive instead of holding them in server memory (ui/disk_upload.py);
- ``/recall-ops/hooks/{sendgrid,whatsapp,twilio}``, the vendors' webhooks, spooled to disk and
  loaded by a thread started with the server (ui/live_hooks.py);
- the alert scheduler in a background thread for as long as the server runs (alerts/scheduler.py;
  ``RECALL_OPS_ALERTS=off`` leaves it out).
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import streamlit as st

from alerts import scheduler
from ui import disk_upload, live_hooks, staging, warm_start


@asynccontextmanager
async def lifespan(app: object) -> AsyncIterator[None]:
    """The webhook loader and the alert scheduler run while the server does."""
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(live_hooks.lifespan(app))
        await stack.enter_async_context(scheduler.lifespan(app))
        yield


disk_upload.MOUNTED = True
warm_start.warm()  # the first visitor's one-off costs, paid at start-up instead
staging.start(disk_upload.sweep_all)  # at start-up: folders a stopped server left; then every 10 minutes
app = st.App("app.py", routes=[disk_upload.route(), *live_hooks.routes()], lifespan=lifespan)
