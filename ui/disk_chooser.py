"""The Upload page's file chooser when uploads go to disk (ui/disk_upload.py; ``streamlit run serve.py``).

A small ``st.components.v2`` component: an ``<input type=file multiple>`` whose files the browser
sends one after another, each as the body of one PUT to this session's ticket URL, with a progress
bar. A file over the limit is refused in the browser before anything is sent (the server refuses
it too). When the files are sent the component fires ``uploaded``, or ``failed`` with the reason;
the page then lists the complete files in the ticket's folder, and those are what it previews
and loads.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import disk_upload
from ui.text import md

HTML = """
<div class="chooser">
  <label class="pick">Choose files<input type="file" multiple></label>
  <span class="hint"></span>
  <progress hidden value="0" max="1"></progress>
  <div class="status" role="status"></div>
</div>
"""

CSS = """
.chooser { border: 1px dashed var(--st-border-color, #ccc); border-radius: 0.5rem; padding: 1rem;
  font-family: var(--st-font, sans-serif); }
.pick { display: inline-block; padding: 0.4rem 0.9rem; border-radius: 0.4rem; cursor: pointer;
  border: 1px solid var(--st-border-color, #ccc); background: var(--st-secondary-background-color, #f0f2f6); }
.pick input { display: none; }
.hint { margin-left: 0.8rem; color: var(--st-text-color, #333); opacity: 0.7; font-size: 0.9rem; }
progress { display: block; width: 100%; margin-top: 0.6rem; }
progress[hidden] { display: none; }
.status { margin-top: 0.4rem; font-size: 0.9rem; }
.status.error { color: #b00020; }
"""

JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const input = parentElement.querySelector("input[type=file]");
  const bar = parentElement.querySelector("progress");
  const status = parentElement.querySelector(".status");
  const mb = (n) => (n < 1048576 ? (n / 1024).toFixed(1) + " KB" : (n / 1048576).toFixed(1) + " MB");
  input.accept = data.accept;
  parentElement.querySelector(".hint").textContent =
    "Up to " + (data.max_bytes / 1048576).toFixed(0) + " MB per file; written to the server's disk as it arrives.";
  const fail = (message) => {
    status.textContent = message;
    status.className = "status error";
    bar.hidden = true;
    input.value = "";
    setTriggerValue("failed", message);
  };
  const put = (file) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", data.url + "?name=" + encodeURIComponent(file.name));
    xhr.upload.onprogress = (e) => {
      bar.max = e.total || file.size;
      bar.value = e.loaded;
      status.textContent = "Sending " + file.name + ": " + mb(e.loaded) + " of " + mb(file.size);
    };
    xhr.onload = () =>
      xhr.status === 200 ? resolve(JSON.parse(xhr.responseText)) : reject(new Error(xhr.responseText));
    xhr.onerror = () => reject(new Error(file.name + ": the upload broke off; nothing was kept."));
    xhr.send(file);
  });
  input.onchange = async () => {
    const files = Array.from(input.files);
    const over = files.find((f) => f.size > data.max_bytes);
    if (over) {
      fail(over.name + " is " + mb(over.size) + ", larger than the upload limit of " +
        (data.max_bytes / 1048576).toFixed(0) + " MB; nothing was sent.");
      return;
    }
    status.className = "status";
    bar.hidden = false;
    const sent = [];
    for (const file of files) {
      try {
        sent.push(await put(file));
      } catch (e) {
        fail(e.message);
        return;
      }
    }
    bar.hidden = true;
    input.value = "";
    status.textContent = "Sent " + sent.map((s) => s.name + " (" + mb(s.bytes) + ")").join(", ") + ".";
    setTriggerValue("uploaded", sent);
  };
}
"""

_component = st.components.v2.component("recall_ops_disk_upload", html=HTML, css=CSS, js=JS)


def chooser(key: str, file_types: list[str]) -> list[Path]:
    """Mount the chooser; the files staged on disk for this session, in upload order."""
    max_bytes = int(st.get_option("server.maxUploadSize")) * 1024**2
    state = st.session_state.get(f"{key}_ticket")
    if state is None or disk_upload.renew(state[0]) is None:
        ctx = get_script_run_ctx()
        session_id = ctx.session_id if ctx else None
        state = st.session_state[f"{key}_ticket"] = disk_upload.ticket(max_bytes, session_id, st.context.cookies)
    token, folder = state
    result = _component(
        key=key,
        data={
            "url": disk_upload.ROUTE.format(ticket=token),
            "max_bytes": max_bytes,
            "accept": ",".join(f".{t}" for t in file_types),
        },
        on_uploaded_change=lambda: None,
        on_failed_change=lambda: None,
    )
    if result.failed:
        st.session_state[f"{key}_error"] = result.failed
    elif result.uploaded:
        st.session_state.pop(f"{key}_error", None)
    if error := st.session_state.get(f"{key}_error"):
        st.error(md(error), icon="🚫")
    files = disk_upload.staged_files(folder)
    if files:
        sizes = ", ".join(f"{p.name} ({_size(p.stat().st_size)})" for p in files)
        st.caption(f"Staged on the server: {md(sizes)}")
        if st.button("Remove staged files", key=f"{key}_clear"):
            disk_upload.clear(folder)
            st.session_state.pop(f"{key}_error", None)
            st.rerun()
    return files


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024:,.1f} KB" if n_bytes < 1024**2 else f"{n_bytes / 1024**2:,.1f} MB"
