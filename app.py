"""Recall Ops: the router. Run with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="Recall Ops", page_icon="📣", layout="wide")

pages = {
    "Recall": [
        st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
    ],
}
st.navigation(pages).run()
