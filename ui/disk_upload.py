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
  its own staging folder, bound to that session: its Streamlit session id and a digest of the
  session's cookie (the sign-in cookie when signed in, else Streamlit's XSRF token). A PUT is
  taken only while the ticket is live (:func:`admit`): not lapsed, the session still connected,
  and the request carrying the same cookie; else 403 and nothing is written. The ticket lapses
  ``TICKET_TTL_S`` after the page last ran for it (a PUT does not renew it); sign-out revokes the
  session's tickets (:func:`revoke_session`) and a sweep drops those of ended sessions, deleting
  their folders. Only the roles the Upload page is registered for (ui/access.py) ever render one.
- A ticket takes at most ``MAX_FILES`` bodies and ``MAX_TOTAL_FACTOR`` × the per-file limit in
  all until its staged files are removed (:func:`clear`); past that, 413 with the reason.
- A body larger than the ticket's limit (``server.maxUploadSize`` MiB, as for the widget) gets 413
  with the reason: at once when its Content-Length says so, else as soon as the running count
  passes the limit. A refused or broken-off body leaves no file behind.
- Open mode (no sign-in configured) takes a PUT only when its ``Host`` (and ``Origin``, if sent)
  names this machine (ui/access.py: a foreign name resolving here is DNS rebinding): 403 otherwise.
- The stored name is the base name of ``name`` (no path can leave the folder); a name no file may
  have (``..``, a leading dot, a control character or NUL, over 255 bytes: :func:`checked_name`)
  gets 400 before anything is written, and a body that cannot be stored leaves nothing behind.
- Server memory per upload in flight: one received chunk plus a ``WRITE_BUFFER_BYTES`` buffer,
  whatever the file's size (writes run in a worker thread, off the event loop).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ui import access, staging

ROUTE = "/recall-ops/upload/{ticket}"
TICKET_TTL_S = 3600.0
WRITE_BUFFER_BYTES = 1024 * 1024
INCOMING = ".incoming"  # a body still arriving
STAGING_PREFIX = staging.PREFIXES[0]
MOUNTED = False  # set by serve.py when it adds route() to the server


MAX_FILES = 100
MAX_TOTAL_FACTOR = 4
AUTH_COOKIE, XSRF_COOKIE = "_streamlit_user", "_streamlit_xsrf"


@dataclass
class Ticket:
    folder: Path
    max_bytes: int
    used_at: float  # when the page last ran for it (a PUT does not renew it)
    session_id: str | None = None
    cookie: str | None = None  # digest of the session's cookie (session_cookie_digest)
    uploads: int = 0  # bodies begun so far: the next one goes to <folder>/<uploads>/
    files: int = 0  # bodies kept or still arriving, since the staged files were last cleared
    received: int = 0  # bytes of those
    max_files: int = MAX_FILES
    max_total: int = 0


_tickets: dict[str, Ticket] = {}
_lock = threading.Lock()


def base_name(name: str) -> str:
    """The last part of a file name as the browser gave it (``/`` or ``\\`` separated); ``upload`` if empty."""
    return Path(str(name).replace("\\", "/")).name or "upload"


MAX_NAME_BYTES = 255  # what Linux, macOS and Windows file systems allow for one name


def checked_name(name: str) -> str:
    """The base name a file is stored under; :class:`ValueError` with the reason for a name no
    file may have: empty, ``.`` or ``..``, starting with ``.`` (hidden; ``.incoming`` is a body
    still arriving), holding a control character (NUL included), or longer than 255 bytes."""
    base = base_name(name)
    shown = repr(base[:60] + ("…" if len(base) > 60 else ""))
    if base in (".", "..") or base.startswith("."):
        raise ValueError(f"the file name {shown} is not allowed (a name may not start with a dot)")
    if any(ord(c) < 32 or ord(c) == 127 for c in base):
        raise ValueError(f"the file name {shown} holds a control character")
    if len(base.encode("utf-8", errors="surrogatepass")) > MAX_NAME_BYTES:
        raise ValueError(f"the file name {shown} is longer than {MAX_NAME_BYTES} bytes")
    return base


def route() -> Route:
    """The streamed-upload route, for ``st.App(routes=[...])``."""
    return Route(ROUTE, put_file, methods=["PUT"])


def session_cookie_digest(cookies: Mapping[str, str]) -> str | None:
    """SHA-256 of what identifies the browser session: the sign-in cookie, else the token inside
    Streamlit's XSRF cookie (``2|mask|masked token|time``: the token unmasked, so a cookie set
    again with a new mask still matches); None without either (no HTTP request: AppTest)."""
    if cookies.get(AUTH_COOKIE):
        secret = "user:" + cookies[AUTH_COOKIE]
    elif cookies.get(XSRF_COOKIE):
        parts = cookies[XSRF_COOKIE].split("|")
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            secret = "xsrf:" + bytes(a ^ b for a, b in zip(masked, mask * len(masked), strict=False)).hex()
        except (IndexError, ValueError):
            secret = "xsrf:" + cookies[XSRF_COOKIE]
    else:
        return None
    return hashlib.sha256(secret.encode()).hexdigest()


def ticket(
    max_bytes: int,
    session_id: str | None = None,
    cookies: Mapping[str, str] | None = None,
    max_files: int = MAX_FILES,
    max_total: int | None = None,
) -> tuple[str, Path]:
    """A new (token, staging folder) for one session, accepting files up to ``max_bytes``, at most
    ``max_files`` of them and ``max_total`` bytes in all (default ``MAX_TOTAL_FACTOR`` ×
    ``max_bytes``); lapsed tickets and those of ended sessions are swept."""
    sweep()
    token = secrets.token_urlsafe(32)
    folder = staging.make(STAGING_PREFIX, session_id)
    total = max_total if max_total is not None else MAX_TOTAL_FACTOR * max_bytes
    digest = session_cookie_digest(cookies or {})
    with _lock:
        _tickets[token] = Ticket(folder, max_bytes, time.monotonic(), session_id, digest, max_files=max_files,
                                 max_total=total)  # fmt: skip
    return token, folder


def _session_active(session_id: str | None) -> bool:
    """The Streamlit session is still connected (always true outside a Streamlit server)."""
    if session_id is None:
        return True
    from streamlit import runtime

    return not runtime.exists() or runtime.get_instance().is_active_session(session_id)


def renew(token: str) -> Ticket | None:
    """The ticket of ``token`` if it has not lapsed, renewed: the page ran for its session."""
    now = time.monotonic()
    with _lock:
        t = _tickets.get(token)
        if t is None or now - t.used_at > TICKET_TTL_S:
            return None
        t.used_at = now
        return t


def admit(token: str, cookies: Mapping[str, str]) -> Ticket | None:
    """The ticket of ``token`` when a PUT may use it: not lapsed (not renewed by this), its session
    still connected, and ``cookies`` those of that session."""
    with _lock:
        t = _tickets.get(token)
    if t is None or time.monotonic() - t.used_at > TICKET_TTL_S or not _session_active(t.session_id):
        return None
    if t.cookie is not None and not hmac.compare_digest(t.cookie, session_cookie_digest(cookies) or ""):
        return None
    return t


def revoke_session(session_id: str) -> None:
    """Forget every ticket of a session (sign-out) and delete its staged files."""
    with _lock:
        gone = [k for k, t in _tickets.items() if t.session_id == session_id]
        folders = [_tickets.pop(k).folder for k in gone]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(now: float | None = None) -> None:
    """Forget lapsed tickets and those of ended sessions, and delete their staging folders."""
    now = time.monotonic() if now is None else now
    with _lock:
        items = list(_tickets.items())
    lapsed = [k for k, t in items if now - t.used_at > TICKET_TTL_S or not _session_active(t.session_id)]
    with _lock:
        folders = [_tickets.pop(k).folder for k in lapsed if k in _tickets]
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def sweep_all() -> None:
    """Lapsed tickets and those of ended sessions, then every stale staging folder (ui/staging.py)."""
    sweep()
    with _lock:
        in_use = {str(t.folder) for t in _tickets.values()}
    staging.sweep(in_use, _session_active)


def staged_files(folder: Path) -> list[Path]:
    """The complete files in a ticket's folder, in upload order (bodies still arriving excluded)."""
    if not folder.is_dir():
        return []
    subs = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    return [f for sub in subs for f in sorted(sub.iterdir()) if f.is_file() and f.name != INCOMING]


def clear(folder: Path) -> None:
    """Delete every staged file of a ticket (the ticket stays valid, its byte and file counts start again)."""
    for p in folder.iterdir() if folder.is_dir() else ():
        if p.name != staging.OWNER:
            shutil.rmtree(p, ignore_errors=True)
    with _lock:
        for t in _tickets.values():
            if t.folder == folder:
                t.files, t.received = 0, 0


def _too_large(name: str, max_bytes: int) -> Response:
    mib = max_bytes / 1024**2
    return PlainTextResponse(f"{name} is larger than the upload limit of {mib:,.0f} MB; nothing was kept.", 413)


async def put_file(request: Request) -> Response:
    """Write the request body to the ticket's folder as it arrives; JSON ``{name, bytes}`` when done."""
    if not access.provider_configured() and not access.local_request(request.headers):
        return PlainTextResponse("Without sign-in, uploads are taken from localhost only; nothing was kept.", 403)
    t = admit(request.path_params["ticket"], request.cookies)
    if t is None:
        return PlainTextResponse(
            "This upload link is not valid for this browser session (it lapsed, or the session ended or signed "
            "out): reload the Upload page and choose the file again.",
            403,
        )
    try:
        name = checked_name(request.query_params.get("name", ""))
    except ValueError as e:
        return PlainTextResponse(f"Not uploaded: {e}. Rename the file and choose it again; nothing was kept.", 400)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > t.max_bytes:
        return _too_large(name, t.max_bytes)
    with _lock:
        if t.files >= t.max_files:
            return PlainTextResponse(
                f"{name}: this upload session has taken its {t.max_files} files; remove the staged files (or reload "
                "the page) to send more. Nothing was kept.",
                413,
            )
        sub = t.folder / str(t.uploads)
        t.uploads += 1
        t.files += 1
    sub.mkdir()
    part = sub / INCOMING
    size = 0
    try:
        with part.open("wb") as out:
            buffer = bytearray()
            async for chunk in request.stream():
                size += len(chunk)
                with _lock:
                    t.received += len(chunk)
                    over_total = t.received > t.max_total
                if size > t.max_bytes or over_total:
                    raise OverflowError
                buffer += chunk
                if len(buffer) >= WRITE_BUFFER_BYTES:
                    block, buffer = bytes(buffer), bytearray()
                    await anyio.to_thread.run_sync(out.write, block)
            await anyio.to_thread.run_sync(out.write, bytes(buffer))
    except (OverflowError, ClientDisconnect) as e:
        shutil.rmtree(sub, ignore_errors=True)
        with _lock:
            t.received -= size
            t.files -= 1
        if isinstance(e, OverflowError):
            if size <= t.max_bytes:
                mib = t.max_total / 1024**2
                return PlainTextResponse(
                    f"{name}: this upload session may take at most {mib:,g} MB in all; remove the staged files (or "
                    "reload the page) to send more. Nothing was kept.",
                    413,
                )
            return _too_large(name, t.max_bytes)
        return PlainTextResponse(f"{name}: the upload broke off; nothing was kept.", 400)
    try:
        part.rename(sub / name)
    except OSError as e:  # the name is refused by this file system after all: keep nothing
        shutil.rmtree(sub, ignore_errors=True)
        with _lock:
            t.received -= size
            t.files -= 1
        return PlainTextResponse(f"Not uploaded: the server cannot store a file named {name!r} ({e.strerror}).", 400)
    return JSONResponse({"name": name, "bytes": size})
