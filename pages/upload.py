"""Upload (analysts): load exports, see what was loaded or rejected and why, undo a whole upload.

The pieces live in ui/upload*.py (staging, preview, mapping, review, load, history); files come from
the chooser that writes them to disk as they arrive (ui/disk_chooser.py, when served by serve.py) or
else Streamlit's uploader, and from
``st.session_state["upload_seed"]`` as ``(name, bytes)`` pairs (how tests drive this page).
"""

import streamlit as st

import ui
from store import ledger
from ui import (
    data,
    disk_chooser,
    disk_upload,
    sample,
    upload,
    upload_history,
    upload_load,
    upload_mapping,
    upload_review,
)

ui.through_router()

st.title("Upload exports")
if data.read_only():
    st.error(data.READ_ONLY, icon="🔒")
    st.stop()
st.caption(
    "Any vendor export the connectors know (CSV, TSV/TXT, XLSX, JSON, NDJSON), recall definitions (TOML), "
    ".gz files and .zip archives. Each file loads in one transaction; loading a file again counts nothing twice."
)
sample.offer(upload.signed_in_user())
version = data.ledger_version()
data.busy_notice()
recalls = data.read(version, ledger.recalls)
if disk_upload.MOUNTED:
    paths = disk_chooser.chooser("upload_disk", upload.FILE_TYPES)
else:
    widget = st.file_uploader("Exports", type=upload.FILE_TYPES, accept_multiple_files=True, key="upload_files")
    paths = upload.widget_paths(widget)
pairs = upload.seeded_files()
left, right = st.columns(2)
with left:
    recall_id = upload.recall_choice(recalls)
with right:
    tz = upload.zone_choice(recalls, recall_id)

if pairs or paths:
    files = upload.unpacked(pairs, paths)
    st.subheader("Files")
    chosen = upload_review.review(files, recall_id, tz)
    upload_review.load_button(chosen, recall_id, tz)
upload_load.show_reports(st.session_state.get(upload.REPORTS_KEY))

st.header("Ingest history")
upload_history.show_history(data.ledger_version())

st.header("Saved column mappings")
upload_mapping.show_mappings(upload_mapping.saved_mappings())
