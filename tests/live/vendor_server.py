"""A local HTTP server standing in for a vendor's API: real sockets, real HTTP, scripted answers.

Each route (method, path) has a handler ``(Request) -> (status, headers, body)``; a handler may be
a :class:`Script`, which answers from a queue (``429`` then ``200``, three ``503`` then ``200``…)
and then from its default. A handler may also answer :class:`Hangup` (the connection dropped in
the middle of the answer) or stall with ``time.sleep`` (a read timeout). Every request is recorded
with its time, query and headers, so tests can check what the puller asked for and when.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Hangup:
    """An answer cut off: its status line, its headers (with the full ``Content-Length``) and the
    first ``keep`` bytes of its body are sent, then the connection is closed — with a TCP reset
    (``reset``, a peer or middlebox dropping it) or an orderly close."""

    answer: Answer
    keep: int = 0
    reset: bool = True


Handler = Callable[[Request], "Answer | Hangup"]


def json_answer(value: object, status: int = 200, **headers: str) -> Answer:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(value).encode()


class Script:
    """Answers from ``queue`` first, then from ``default``."""

    def __init__(self, default: Handler, *queue: Answer | Hangup) -> None:
        self.default, self.queue = default, deque(queue)

    def __call__(self, req: Request) -> Answer | Hangup:
        return self.queue.popleft() if self.queue else self.default(req)


class VendorServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Request] = []
        self.delay_s = 0.0
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                u = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(
                    self.command,
                    u.path,
                    {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                    time.monotonic(),
                )
                outer.requests.append(req)
                if outer.delay_s:
                    time.sleep(outer.delay_s)
                handler = outer.routes.get((self.command, u.path))
                answer = handler(req) if handler else json_answer({"error": "not found"}, 404)
                cut = answer if isinstance(answer, Hangup) else None
                status, headers, body = cut.answer if cut else answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if cut is None:
                    self.wfile.write(body)
                    return
                self.wfile.write(body[: cut.keep])
                self.wfile.flush()
                self.close_connection = True
                if cut.reset:  # SO_LINGER 0: close() sends RST instead of FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                else:
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = _serve

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> VendorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def seen(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]
