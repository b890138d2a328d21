"""Uploads written to disk as they arrive, for exports too large to hold in server memory.

Streamlit's ``st.file_uploader`` keeps each uploaded file in server memory (streamlit/streamlit#10828).
When the dashboard is served by serve.py (``streamlit run serve.py``, the README's command), the
server also answers ``PUT /recall-ops/upload/{ticket}?name=FILE`` (:func:`put_file`) and the Upload
page shows :func:`chooser` instead of the widget: the browser sends each chosen file as the body of
one PUT, and the server appends the body's chunks, as they arrive, to ``<folder>/<n>/.incoming``,
renamed to ``<n>/<name>`` when the body is complete. Under plain ``streamlit run app.py`` (and AppTest)
the route does not exist and the page keeps ``st.file_uploader``.

Rules:
- A ticket is a random 32-byte token the page mints for one browser session (:func:`ticket`), with
  its own staging folder; it lapses ``TICKET_TTL_S`` after it was last used, and the next sweep
  (each new ticket sweeps) deletes its folder. A PUT without a live ticket gets 403 and writes
  nothing. Only the roles the Upload page is registered for (ui/access.py) ever render a ticket.
- A body larger than the ticket's limit (``server.maxUploadSize`` MiB, as for the widget) gets 413
  with the reason: at once when its Content-Length says so, else as soon as the running count
  passes the limit. A refused or broken-off body leaves no file behind.
- Open mode (no sign-in configured) takes a PUT only when its ``Host`` (and ``Origin``, if sent)
  names this machine (ui/access.py: a foreign name resolving here is DNS rebinding): 403 otherwise.
- The stored name is the base name of ``name`` (no path can leave the folder).
- Server memory per upload in flight: one received chunk plus a ``WRITE_BUFFER_BYTES`` buffer,
  whatever the file's size (writes run in a worker thread, off the event loop).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ui import access

ROUTE = "/recall-ops/upload/{ticket}"
TICKET_TTL_S = 3600.0
WRITE_BUFFER_BYTES = 1024 * 1024
INCOMING = ".incoming"  # a body still arriving
MOUNTED = False  # set by serve.py when it adds route() to the server


@dataclass
class Ticket:
    folder: Path
    max_bytes: int
    used_at: float
    uploads: int = 0  # bodies received so far: the next one goes to <folder>/<uploads>/


_tickets: dict[str, Ticket] = {}
_lock = threading.Lock()


def base_name(name: str) -> str:
    """The last part of a file name as the browser gave it (``/`` or ``\\`` separated); ``upload`` if empty."""
    return Path(str(name).replace("\\", "/")).name or "upload"


def route() -> Route:
    """The streamed-upload route, for ``st.App(routes=[...])``."""
    return Route(ROUTE, put_file, methods=["PUT"])


def ticket(max_bytes: int) -> tuple[str, Path]:
    """A new (token, staging folder) accepting files up to ``max_bytes``; lapsed tickets are swept."""
    sweep()
    token = secrets.token_urlsafe(32)
    folder = Path(tempfile.mkdtemp(prefix="recall-ops-stream-"))
    with _lock:
        _tickets[token] = Ticket(folder, max_bytes, time.monotonic())
    return token, folder


def live(token: str) -> Ticket | None:
    """The ticket of ``token`` if it has not lapsed (using it renews it)."""
    now = time.monotonic()
    with _lock:
        t = _tickets.get(token)
        if t is None or now - t.used_at > TICKET_TTL_S:
            return None
        t.used_at = now
        return t


def sweep(now: float | None = None) -> None:
    """Forget lapsed tickets and delete their staging folders."""
    now = time.monotonic() if now is None else now
    with _lock:
        lapsed = [k for k, t in _tickets.items() if now - t.used_at > TICKET_TTL_S]
        folders = [_tickets.pop(k).folder for k in lapsed]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def staged_files(folder: Path) -> list[Path]:
    """The complete files in a ticket's folder, in upload order (bodies still arriving excluded)."""
    if not folder.is_dir():
        return []
    subs = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    return [f for sub in subs for f in sorted(sub.iterdir()) if f.is_file() and f.name != INCOMING]


def clear(folder: Path) -> None:
    """Delete every staged file of a ticket (the ticket stays valid)."""
    for p in folder.iterdir() if folder.is_dir() else ():
        shutil.rmtree(p, ignore_errors=True)


def _too_large(name: str, max_bytes: int) -> Response:
    mib = max_bytes / 1024**2
    return PlainTextResponse(f"{name} is larger than the upload limit of {mib:,.0f} MB; nothing was kept.", 413)


async def put_file(request: Request) -> Response:
    """Write the request body to the ticket's folder as it arrives; JSON ``{name, bytes}`` when done."""
    if not access.provider_configured() and not access.local_request(request.headers):
        return PlainTextResponse("Without sign-in, uploads are taken from localhost only; nothing was kept.", 403)
    t = live(request.path_params["ticket"])
    if t is None:
        return PlainTextResponse("This upload link has lapsed: reload the Upload page and choose the file again.", 403)
    name = base_name(request.query_params.get("name", ""))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > t.max_bytes:
        return _too_large(name, t.max_bytes)
    with _lock:
        sub = t.folder / str(t.uploads)
        t.uploads += 1
    sub.mkdir()
    part = sub / INCOMING
    size = 0
    try:
        with part.open("wb") as out:
            buffer = bytearray()
            async for chunk in request.stream():
                size += len(chunk)
                if size > t.max_bytes:
                    raise OverflowError
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER_BYTES:
                    block, buffer = bytes(buffer), bytearray()
                    await anyio.to_thread.run_sync(out.write, block)
            await anyio.to_thread.run_sync(out.write, bytes(buffer))
    except (OverflowError, ClientDisconnect) as e:
        shutil.rmtree(sub, ignore_errors=True)
        if isinstance(e, OverflowError):
            return _too_large(name, t.max_bytes)
        return PlainTextResponse(f"{name}: the upload broke off; nothing was kept.", 400)
    part.rename(sub / name)
    return JSONResponse({"name": name, "bytes": size})
