"""Helpers for the live-data tests: vendors' signatures made with keys generated here, plain HTTP
requests, and a store read that waits for the server's loader to let go of the file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from connectors.live.signatures import twilio_signature
from store.db import open_store


@dataclass
class Reply:
    status: int
    text: str
    headers: dict[str, str]


def request(base_url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
    u = urlsplit(base_url)
    con = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        con.request(method, path, body=body, headers=headers or {})
        r = con.getresponse()
        return Reply(r.status, r.read().decode("utf-8", "replace"), {k.lower(): v for k, v in r.getheaders()})
    finally:
        con.close()


class SendGridKey:
    """A P-256 key pair made for the test; ``public_b64`` is what SendGrid shows in its settings."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_b64 = base64.b64encode(der).decode()

    def headers(self, raw: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = self.private.sign(ts.encode() + raw, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(sig).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": ts,
        }


def whatsapp_headers(secret: str, raw: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def twilio_form(token: str, public_url: str, params: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    body = urlencode(params).encode()
    sig = twilio_signature(token, public_url, list(params.items()))
    return body, {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig}


def sendgrid_event(eid: str, kind: str = "delivered", at: int = 1709648533, **extra: object) -> dict:
    return {
        "email": "pat.doe@example.com",
        "timestamp": at,
        "event": kind,
        "sg_event_id": eid,
        "sg_message_id": f"msg-{eid}",
        "category": ["recall_r24_017", "wave_1"],
        **extra,
    }


def raw_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode() + b"\r\n"


def query(db, sql: str, params: list | None = None, wait_s: float = 30.0) -> list[tuple]:
    """One query on the store, waiting while the server holds the file."""
    with open_store(db, wait_s=wait_s) as con:
        return con.execute(sql, params or []).fetchall()


def eventually(check: Callable[[], object], timeout_s: float = 60.0, every_s: float = 0.3):
    """``check()``'s first truthy value, polled until ``timeout_s``; the last value on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every_s)


@dataclass
class PageRun:
    status: str  # ForwardMsg.ScriptFinishedStatus name, or "timeout"
    seconds: float
    exceptions: list[str]  # messages of st.exception elements the run drew


def run_page(base_url: str, page_name: str = "", query_string: str = "", timeout_s: float = 60.0) -> PageRun:
    """One script run of a page over Streamlit's own websocket (``/_stcore/stream``), as a browser
    tab asks for it: a BackMsg ``rerun_script``, then ForwardMsgs until ``script_finished``."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    url = base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
    back = BackMsg()
    back.rerun_script.query_string = query_string
    back.rerun_script.page_name = page_name
    start = time.monotonic()
    exceptions: list[str] = []
    with connect(url, subprotocols=["streamlit"], open_timeout=timeout_s, max_size=None) as ws:
        ws.send(back.SerializeToString())
        while (left := start + timeout_s - time.monotonic()) > 0:
            try:
                msg = ForwardMsg.FromString(ws.recv(timeout=left))
            except TimeoutError:
                break
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    exceptions.append(element.exception.message)
            elif kind == "script_finished":
                name = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                return PageRun(name, time.monotonic() - start, exceptions)
    return PageRun("timeout", time.monotonic() - start, exceptions)
