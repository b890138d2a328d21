"""Recall Ops: the router. Run with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="Recall Ops", page_icon="📣", layout="wide")

pages = {
    "Recall": [
        st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
        st.Page("pages/standup.py", title="Stand-up", icon="📺", url_path="standup"),
        st.Page("pages/channels.py", title="Channels & handling", icon="📞", url_path="channels"),
        st.Page("pages/quality.py", title="Quality", icon="✅", url_path="quality"),
        st.Page("pages/coverage.py", title="Coverage", icon="📬", url_path="coverage"),
    ],
    "Data": [
        st.Page("pages/upload.py", title="Upload", icon="📤", url_path="upload"),
        st.Page("pages/settings.py", title="Settings", icon="⚙️", url_path="settings"),
    ],
}
kiosk = st.query_params.get("kiosk") in ("1", "true", "yes")  # wall screens: no navigation (pages/standup.py)
st.navigation(pages, position="hidden" if kiosk else "sidebar").run()
