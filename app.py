"""Recall Ops: the router. Served by ``streamlit run serve.py`` (or, without serve.py's upload-to-disk
route, by ``streamlit run app.py``).

Only the pages this session's role may open are registered with ``st.navigation`` (ui/access.py):
any other page is unreachable, even by typing its URL (Streamlit then says "Page not found" and
runs the default page). While the store still holds the bundled sample recall, a notice with its
share heads every page (ui/sample.py); a page replaying a past moment (``?as_of=``, or the sample
alone) is headed by the REPLAY band (ui/replay.py).
"""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")  # why: connectors/__init__.py

import streamlit as st  # noqa: E402
from streamlit.runtime.scriptrunner import get_script_run_ctx  # noqa: E402

from store.db import STORE_IO_ERRORS, StoreError  # noqa: E402
from ui import access, data, disk_upload, navigation, replay, sample, staging  # noqa: E402
from ui.text import md  # noqa: E402

st.set_page_config(page_title="Recall Ops", page_icon="📣", layout="wide")
staging.start(disk_upload.sweep_all)  # stale upload staging folders: now (start-up) and every 10 minutes


def file_page(page: navigation.Page, default: bool = False) -> st.Page:
    return st.Page(page.script, title=page.title, icon=page.icon, url_path=page.name, default=default)


def sign_in() -> None:
    st.title("Recall Ops")
    if st.query_params.get("wall"):
        st.error(
            "This wall-screen link's token is not valid (it may have been changed). Ask an admin for the current link."
        )
    if ended := access.sign_in_ended():
        st.info(f"{ended} Sign in again.", icon="🔑")
    st.write("Sign in with your organisation's account to see the recall dashboards.")
    provider = access.config().get("provider")  # a named [auth.NAME] provider; default: [auth] itself
    if st.button("Sign in", key="sign_in", type="primary"):
        if provider:
            st.login(provider)
        else:
            st.login()


def no_access() -> None:
    st.title("Recall Ops")
    email = access.shown_name()
    st.error(
        f"{md(email) if email else 'This account'} is not on the list of people who may see the recall dashboards."
    )
    st.caption("Ask the operations lead to add your address (recall_ops.roles in secrets.toml).")


def refuse_open() -> None:
    st.title("Recall Ops")
    st.error(
        f"No sign-in is configured and server.address is {st.get_option('server.address')!r}: without "
        'sign-in the dashboard listens on localhost only. Set server.address = "localhost" '
        "(.streamlit/config.toml), or configure an identity provider ([auth] in .streamlit/secrets.toml)."
    )


def refuse_foreign_host() -> None:
    st.title("Recall Ops")
    st.error(
        "No sign-in is configured, so the dashboard answers only to localhost, and this page was asked for "
        "under another name. Open it as http://localhost:<port>/, or configure an identity provider."
    )


foreign_host = access.foreign_host_in_open_mode()  # DNS rebinding: a foreign name resolving here
role = None if foreign_host else access.current_role()
kiosk = access.kiosk()  # wall screens: no navigation (pages/standup.py)
if foreign_host:
    pages = {"": [st.Page(refuse_foreign_host, title="Recall Ops", default=True)]}
elif role == access.WALL:
    wall = file_page(navigation.BY_NAME[access.pages_for(role)[0]])

    def to_wall() -> None:  # the wall's default page: / and any other URL land on the stand-up
        st.switch_page(wall, query_params=st.query_params.to_dict())

    pages = {"": [st.Page(to_wall, title=wall.title, default=True), wall]}
elif role == access.OPEN and not access.is_loopback(st.get_option("server.address")):
    pages = {"": [st.Page(refuse_open, title="Recall Ops", default=True)]}
elif role is None:
    pages = {"": [st.Page(no_access if access.identity() else sign_in, title="Sign in", icon="🔑", default=True)]}
else:
    allowed = access.pages_for(role)
    pages = {}
    for page in navigation.PAGES:
        if page.name in allowed:
            pages.setdefault(page.section, []).append(file_page(page, default=page.name == allowed[0]))

showing_data = (
    not foreign_host
    and role is not None
    and pages
    and not (role == access.OPEN and not access.is_loopback(st.get_option("server.address")))
)
if not kiosk:
    with st.sidebar:
        if role == access.OPEN:
            st.info("Open mode: no sign-in configured, listening on localhost only.", icon="🔓")
        elif access.identity() is not None:
            email = access.shown_name()
            st.caption(f"Signed in as **{md(email)}** · role: **{role or 'no access'}**")
            if st.button("Sign out", key="sign_out"):
                st.session_state.pop(access.WALL_KEY, None)
                ctx = get_script_run_ctx()
                if ctx is not None:
                    disk_upload.revoke_session(ctx.session_id)  # its upload links stop working now
                access.sign_out()
page = st.navigation(pages, position="hidden" if kiosk else "sidebar")
try:
    with data.one_connection():  # the run's reads share one connection (ui/data.py)
        if showing_data:
            replay.band(kiosk)  # ?as_of= kept across pages, and the REPLAY band (the sample: replayed on its day 9)
        if showing_data and page.url_path != "upload":  # the Upload page shows the sample with its remove button
            sample.notice(kiosk)
        page.run()
except data.StoreBusy:  # another process holds the store and this page has nothing read before it
    if not data.has_read_store():
        data.busy_notice()
    st.info(data.NOT_READ_YET)
except (StoreError, *STORE_IO_ERRORS) as e:  # a damaged store file, or its disk gone: say so, no traceback
    why = md(str(e).splitlines()[0])
    st.error(f"The store cannot be read: the database file is damaged or unreadable ({why}). Nothing was changed.")
