"""Real local receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP server that
records webhook POSTs (and can answer with an error, or hold a request until told to go on)."""

from __future__ import annotations

import email
import json
import socket
import threading
from email import policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: every message accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on localhost; with ``login`` it requires AUTH with that (user, password)."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.box, self.port = Mailbox(), free_port()
        kw = {}
        if login:

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = (
                    isinstance(auth_data, LoginPassword)
                    and (auth_data.login.decode(), auth_data.password.decode()) == login
                )
                return AuthResult(success=ok)

            # Plain-text AUTH on localhost only: the server warns about it, rightly, and the test accepts it.
            kw = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port, **kw)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class Receiver:
    """Records POSTs (path, headers, parsed JSON body). ``status`` is answered; with ``hold`` set,
    the next request is held (not answered) until ``release`` is set."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.hold = threading.Event()
        self.release = threading.Event()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "raw": raw, "body": json.loads(raw)}
                )
                receiver.arrived.set()
                if receiver.hold.is_set():
                    receiver.hold.clear()
                    receiver.release.wait(30)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str) -> list[dict]:
        return [r["body"] for r in self.requests if r["path"] == path]
