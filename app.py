"""Recall Ops: the router. Served by ``streamlit run serve.py`` (or, without serve.py's upload-to-disk
route, by ``streamlit run app.py``).

Only the pages this session's role may open are registered with ``st.navigation`` (ui/access.py):
any other page is unreachable, even by typing its URL (Streamlit then says "Page not found" and
runs the default page).
"""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")  # why: connectors/__init__.py

import streamlit as st  # noqa: E402

from ui import access  # noqa: E402

st.set_page_config(page_title="Recall Ops", page_icon="📣", layout="wide")

SECTIONS = {
    "Recall": [
        ("overview", "Overview", "📊"),
        ("standup", "Stand-up", "📺"),
        ("channels", "Channels & handling", "📞"),
        ("quality", "Quality", "✅"),
        ("coverage", "Coverage", "📬"),
    ],
    "Data": [("reports", "Reports", "📄"), ("upload", "Upload", "📤"), ("settings", "Settings", "⚙️")],
}


def file_page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(f"pages/{name}.py", title=title, icon=icon, url_path=name, default=default)


def sign_in() -> None:
    st.title("Recall Ops")
    if st.query_params.get("wall"):
        st.error(
            "This wall-screen link's token is not valid (it may have been changed). Ask an admin for the current link."
        )
    st.write("Sign in with your organisation's account to see the recall dashboards.")
    provider = access.config().get("provider")  # a named [auth.NAME] provider; default: [auth] itself
    if st.button("Sign in", key="sign_in", type="primary"):
        if provider:
            st.login(provider)
        else:
            st.login()


def no_access() -> None:
    st.title("Recall Ops")
    email = (access.identity() or (None, []))[0]
    st.error(f"{email or 'This account'} is not on the list of people who may see the recall dashboards.")
    st.caption("Ask the operations lead to add your address (recall_ops.roles in secrets.toml).")


def refuse_open() -> None:
    st.title("Recall Ops")
    st.error(
        f"No sign-in is configured and server.address is {st.get_option('server.address')!r}: without "
        'sign-in the dashboard listens on localhost only. Set server.address = "localhost" '
        "(.streamlit/config.toml), or configure an identity provider ([auth] in .streamlit/secrets.toml)."
    )


role = access.current_role()
kiosk = access.kiosk()  # wall screens: no navigation (pages/standup.py)
if role == access.WALL:
    standup = file_page("standup", "Stand-up", "📺")

    def to_standup() -> None:  # the wall's default page: / and any other URL land on the stand-up
        st.switch_page(standup, query_params=st.query_params.to_dict())

    pages = {"": [st.Page(to_standup, title="Stand-up", default=True), standup]}
elif role == access.OPEN and not access.is_loopback(st.get_option("server.address")):
    pages = {"": [st.Page(refuse_open, title="Recall Ops", default=True)]}
elif role is None:
    pages = {"": [st.Page(no_access if access.identity() else sign_in, title="Sign in", icon="🔑", default=True)]}
else:
    allowed = access.pages_for(role)
    pages = {
        section: [file_page(n, t, i, default=n == allowed[0]) for n, t, i in entries if n in allowed]
        for section, entries in SECTIONS.items()
    }
    pages = {section: entries for section, entries in pages.items() if entries}

if not kiosk:
    with st.sidebar:
        if role == access.OPEN:
            st.info("Open mode: no sign-in configured, listening on localhost only.", icon="🔓")
        elif access.identity() is not None:
            email = access.identity()[0] or st.user.get("name") or "signed in"
            st.caption(f"Signed in as **{email}** · role: **{role or 'no access'}**")
            if st.button("Sign out", key="sign_out"):
                st.session_state.pop(access.WALL_KEY, None)
                st.logout()
st.navigation(pages, position="hidden" if kiosk else "sidebar").run()
