"""Webhook receivers on the dashboard's server (serve.py), beside the upload route.

    POST     /recall-ops/hooks/sendgrid   SendGrid signed Event Webhook (a JSON array of events)
    GET/POST /recall-ops/hooks/whatsapp   Meta WhatsApp Cloud API (verify handshake; signed POSTs)
    POST     /recall-ops/hooks/twilio     Twilio message and call status callbacks (form-encoded)

Configured in ``.streamlit/secrets.toml``::

    [recall_ops.hooks]                 # optional: spool_dir, max_body_bytes (default 4 MiB)
    [recall_ops.hooks.sendgrid]
    public_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE..."   # as SendGrid shows it
    [recall_ops.hooks.whatsapp]
    verify_token = "..."               # the token typed into Meta's webhook form
    app_secret = "..."                 # the Meta app's secret
    [recall_ops.hooks.twilio]
    auth_token = "..."
    public_url = "https://ops.example.com/recall-ops/hooks/twilio"   # the URL as Twilio calls it

Answers: a hook with no configuration → 404; a missing signature header → 401; a signature that
does not match, or a SendGrid timestamp more than 5 minutes off (a replay) → 403 (rules:
connectors/live/signatures.py); a body over ``max_body_bytes`` → 413; a signed body that is not
what the vendor sends → 400. Otherwise the body is written durably to the spool
(connectors/live/spool.py) and only then answered 200; a disk that refuses it → 503, so the vendor
retries. The loader thread (connectors/live/hook_loader.py) takes it from there. Bodies and
secrets are never logged.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from alerts.scheduler import after_load
from connectors.live import signatures
from connectors.live.hook_loader import HookLoader
from connectors.live.spool import Spool
from store.db import DEFAULT_DB, default_store

PREFIX = "/recall-ops/hooks"
MAX_BODY_BYTES = 4 * 1024**2
SPOOL_THREADS = 8
log = logging.getLogger("recall_ops.live.hooks")

_lock = threading.Lock()
_state: dict[str, Any] = {}


def config() -> dict[str, Any]:
    """``[recall_ops.hooks]`` of secrets.toml as plain dicts (empty when absent)."""
    from ui import access

    return _plain(access.config().get("hooks") or {})


def _plain(value: Any) -> Any:
    return {k: _plain(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def vendor_config(vendor: str) -> dict[str, Any]:
    cfg = config().get(vendor)
    return cfg if isinstance(cfg, dict) else {}


def spool_folder() -> Path:
    """``spool_dir`` if configured, else ``<store file>.spool`` beside the store (on PostgreSQL:
    beside the default store file, ``data/recall_ops.duckdb.spool``; several servers share one
    configured folder: docs/deployment.md)."""
    configured = config().get("spool_dir")
    db = default_store()
    db = DEFAULT_DB if isinstance(db, str) else db
    return Path(configured) if configured else db.with_name(db.name + ".spool")


def loader() -> HookLoader:
    """The server's one loader (started on first use, or by :func:`lifespan`)."""
    with _lock:
        if "loader" not in _state:
            _state["loader"] = HookLoader(Spool(spool_folder()), default_store(), on_loaded=after_load).start()
        return _state["loader"]


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Start the loader with the server (bodies spooled before a restart load at once) and stop it after."""
    loader()
    yield
    with _lock:
        running = _state.pop("loader", None)
    if running is not None:
        await anyio.to_thread.run_sync(running.stop)


def routes() -> list[Route]:
    return [
        Route(f"{PREFIX}/sendgrid", sendgrid, methods=["POST"]),
        Route(f"{PREFIX}/whatsapp", whatsapp, methods=["GET", "POST"]),
        Route(f"{PREFIX}/twilio", twilio, methods=["POST"]),
    ]


def _text(message: str, status: int) -> Response:
    return PlainTextResponse(message, status)


async def _body(request: Request) -> bytes | Response:
    """The raw body, or 413 once it passes the limit (declared or counted)."""
    limit = int(config().get("max_body_bytes") or MAX_BODY_BYTES)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _text(f"body larger than {limit} bytes", 413)
    data = bytearray()
    try:
        async for chunk in request.stream():
            data += chunk
            if len(data) > limit:
                return _text(f"body larger than {limit} bytes", 413)
    except ClientDisconnect:
        return _text("the body broke off", 400)
    return bytes(data)


async def _spool(vendor: str, raw: bytes, url: str, content_type: str) -> Response:
    """Write the body durably, wake the loader, answer 200 (503 when the disk refuses it)."""
    limiter = _state.setdefault("limiter", anyio.CapacityLimiter(SPOOL_THREADS))
    running = loader()
    try:
        await anyio.to_thread.run_sync(running.spool.write, vendor, raw, url, content_type, limiter=limiter)
    except OSError as e:
        log.error("hook:%s could not spool a body: %s", vendor, e)
        return _text("not stored; try again later", 503)
    running.notify()
    return _text("ok", 200)


async def sendgrid(request: Request) -> Response:
    cfg = vendor_config("sendgrid")
    if not cfg.get("public_key"):
        return _text("not found", 404)
    signature = request.headers.get("x-twilio-email-event-webhook-signature")
    timestamp = request.headers.get("x-twilio-email-event-webhook-timestamp")
    if not signature or not timestamp:
        return _text("missing X-Twilio-Email-Event-Webhook-Signature / -Timestamp", 401)
    raw = await _body(request)
    if isinstance(raw, Response):
        return raw
    try:
        key = _sendgrid_key(cfg["public_key"])
    except signatures.BadKey as e:
        log.error("hook:sendgrid misconfigured: %s", e)
        return _text("webhook misconfigured on the receiving side", 500)
    why = signatures.sendgrid_ok(key, signature, timestamp, raw)
    if why:
        return _text(f"signature refused: {why}", 403)
    if not _json_is(raw, list):
        return _text("a SendGrid Event Webhook body is a JSON array of events", 400)
    return await _spool("sendgrid", raw, str(request.url), request.headers.get("content-type", ""))


def _sendgrid_key(text: str):
    cache = _state.setdefault("sendgrid_keys", {})
    if text not in cache:
        cache[text] = signatures.sendgrid_key(text)
    return cache[text]


def _json_is(raw: bytes, kind: type) -> bool:
    try:
        return isinstance(json.loads(raw), kind)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return False


async def whatsapp(request: Request) -> Response:
    cfg = vendor_config("whatsapp")
    if request.method == "GET":
        token = cfg.get("verify_token")
        if not token:
            return _text("not found", 404)
        q = request.query_params
        given = q.get("hub.verify_token") or ""
        challenge = q.get("hub.challenge") or ""
        if q.get("hub.mode") != "subscribe" or not hmac.compare_digest(given.encode(), str(token).encode()):
            return _text("verify token refused", 403)
        if not challenge.isdigit() or len(challenge) > 64:
            return _text("hub.challenge must be a number", 400)
        return _text(challenge, 200)
    if not cfg.get("app_secret"):
        return _text("not found", 404)
    header = request.headers.get("x-hub-signature-256")
    if not header:
        return _text("missing X-Hub-Signature-256", 401)
    raw = await _body(request)
    if isinstance(raw, Response):
        return raw
    if not signatures.whatsapp_ok(str(cfg["app_secret"]), header, raw):
        return _text("signature refused: X-Hub-Signature-256 does not match the body", 403)
    if not _json_is(raw, dict):
        return _text("a WhatsApp webhook body is a JSON object", 400)
    return await _spool("whatsapp", raw, str(request.url), request.headers.get("content-type", ""))


async def twilio(request: Request) -> Response:
    cfg = vendor_config("twilio")
    if not cfg.get("auth_token") or not cfg.get("public_url"):
        return _text("not found", 404)
    signature = request.headers.get("x-twilio-signature")
    if not signature:
        return _text("missing X-Twilio-Signature", 401)
    raw = await _body(request)
    if isinstance(raw, Response):
        return raw
    url = str(cfg["public_url"]) + (f"?{request.url.query}" if request.url.query else "")
    form = "x-www-form-urlencoded" in request.headers.get("content-type", "")
    params = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True) if form else []
    if not signatures.twilio_ok(str(cfg["auth_token"]), url, params, signature, raw):
        return _text("signature refused: X-Twilio-Signature does not match the URL and parameters", 403)
    names = {k for k, _ in params}
    if not names & {"MessageSid", "SmsSid", "CallSid"}:
        return _text("a Twilio status callback names a MessageSid or a CallSid", 400)
    return await _spool("twilio", raw, url, request.headers.get("content-type", ""))
