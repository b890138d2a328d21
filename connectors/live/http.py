"""HTTP for the pulled sources: one request, its answer classified for the scheduler.

- 2xx → :class:`Response` (body capped at ``MAX_RESPONSE_BYTES``; JSON parsed by :meth:`Response.json`).
- 429 → :class:`RateLimited` with the wait: ``Retry-After`` (seconds, or an HTTP date), else None
  (the scheduler backs off). A 429 is not a failure.
- 5xx, 408, timeouts (``READ_TIMEOUT_S``, for the connection and for each read of the answer),
  refused or reset connections, an answer cut off before its end → :class:`Transient`: retried
  with backoff, the cursor kept.
- Any other status (400, 401, 403, 404, 422…), a body over the cap, or JSON that is not JSON →
  :class:`Permanent`: the source stops with the message (status, URL path, and the vendor's
  short reason with emails and long numbers masked). Credentials are sent in headers only and
  never appear in a message.
A request never follows a redirect to another origin (credentials stay with the configured host).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

READ_TIMEOUT_S = 60.0
MAX_RESPONSE_BYTES = 64 * 1024**2
USER_AGENT = "recall-ops-live/1"


class PullError(Exception):
    """A request that did not give a usable page; the message says why (no credentials in it)."""


class Transient(PullError):
    """Worth retrying later (5xx, timeout, connection reset)."""


class RateLimited(PullError):
    """429: wait ``retry_after_s`` (None: not given) and try again."""

    def __init__(self, message: str, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Permanent(PullError):
    """Retrying will not help (bad credentials, a bad query, a page no connector can read)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    url: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError) as e:
            raise Permanent(f"{_path(self.url)}: the answer is not JSON ({str(e)[:80]})") from e


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def masked(text: str) -> str:
    """Emails and runs of 7+ digits masked, cut to 200 characters (vendor messages shown to people)."""
    text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "<email>", text)
    text = re.sub(r"\+?\d[\d\s().-]{5,}\d", "<number>", text)
    return " ".join(text.split())[:200]


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max((at - now).total_seconds(), 0.0) if at.tzinfo else None


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        a, b = urlsplit(req.full_url), urlsplit(newurl)
        if (a.scheme, a.netloc) != (b.scheme, b.netloc):
            raise Permanent(f"{_path(req.full_url)}: redirected to another host ({b.netloc}); not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_SameOrigin())


def request(
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    timeout_s: float | None = None,
) -> Response:
    """Send one request; a :class:`Response` for 2xx, else the error class that fits (module doc).
    ``timeout_s`` defaults to ``READ_TIMEOUT_S``."""
    if params:
        url = url + ("&" if "?" in url else "?") + urlencode(params)
    req = urllib.request.Request(url, data=data, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})})
    where = _path(url)
    try:
        with _opener.open(req, timeout=READ_TIMEOUT_S if timeout_s is None else timeout_s) as r:
            body = r.read(MAX_RESPONSE_BYTES + 1)
            if len(body) > MAX_RESPONSE_BYTES:
                raise Permanent(f"{where}: answer larger than {MAX_RESPONSE_BYTES // 1024**2} MiB; refused")
            declared = (r.headers.get("Content-Length") or "").strip()
            if declared.isdigit() and len(body) < int(declared):  # read() returns what came before a close
                raise Transient(f"{where}: connection closed after {len(body)} of {declared} bytes of the answer")
            return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, body, url)
    except urllib.error.HTTPError as e:
        raise _classified(e, where) from None
    except (TimeoutError, socket.timeout) as e:
        raise Transient(f"{where}: timed out ({e})") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, Permanent):
            raise e.reason from None
        raise Transient(f"{where}: cannot connect ({e.reason})") from None
    except (ConnectionError, OSError) as e:
        raise Transient(f"{where}: connection failed ({e})") from None
    except http.client.HTTPException as e:  # IncompleteRead, a bad status line: the answer was cut off
        raise Transient(f"{where}: connection broke during the answer ({type(e).__name__})") from None


def _classified(e: urllib.error.HTTPError, where: str) -> PullError:
    try:
        detail = masked(e.read(2048).decode("utf-8", "replace"))
    except OSError:
        detail = ""
    headers = {k.lower(): v for k, v in (e.headers or {}).items()}
    said = f": {detail}" if detail else ""
    if e.code == 429:
        wait = retry_after(headers.get("retry-after"))
        return RateLimited(f"{where}: 429 rate limited (Retry-After {headers.get('retry-after', 'not given')})", wait)
    if e.code >= 500 or e.code == 408:
        return Transient(f"{where}: HTTP {e.code}{said}")
    hint = {401: " — check the credentials", 403: " — the account lacks permission (or the plan the feature)"}
    return Permanent(f"{where}: HTTP {e.code}{hint.get(e.code, '')}{said}", e.code)


def same_origin(base_url: str, url: str) -> str:
    """``url`` resolved against ``base_url``; :class:`Permanent` when it points at another host
    (a next-page link must never carry the credentials elsewhere)."""
    if url.startswith("/"):
        b = urlsplit(base_url)
        return f"{b.scheme}://{b.netloc}{url}"
    a, b = urlsplit(base_url), urlsplit(url)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        raise Permanent(f"next-page link points at {b.scheme}://{b.netloc}, not {a.scheme}://{a.netloc}; not followed")
    return url
