"""Freshdesk, pulled: tickets updated since a watermark, oldest change first.

Settings (live.toml): ``domain`` (``acme`` for acme.freshdesk.com; or ``base_url``), the secret
``api_key`` (basic auth, the key as user name and ``X`` as password); ``start`` (ISO 8601; default
24 h before the first run — without ``updated_since`` Freshdesk lists 30 days only), ``include``
(default ``stats,requester``: first-response and resolution times, requester email and phone;
each include costs extra API credits), ``per_page`` (default 100, Freshdesk's maximum),
``page_cap`` (default 300), ``overlap_s`` (default 300), ``rate_pause_s`` (default 60).

``GET /api/v2/tickets?updated_since=…&order_by=updated_at&order_type=asc&per_page=…&page=N``;
each page is read by connectors/freshdesk_json.py. A page continues while it is full (or a
``Link: <…>; rel="next"`` header says so). On reaching ``page_cap`` the run moves
``updated_since`` to the newest ``updated_at`` seen and starts again at page 1 (deep paging is
capped). A complete run's successor starts ``overlap_s`` before the newest ``updated_at`` seen;
tickets read twice collapse on their id and ``updated_at``. Rate limits: a 429 waits
``Retry-After``; ``X-RateLimit-Remaining: 0`` on a page pauses ``Retry-After`` (if sent) or
``rate_pause_s`` before the next request.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors import freshdesk_json
from connectors.live import http
from connectors.live.config import ConfigError, SourceConfig
from connectors.live.stream import Page, Stream


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return None


class Tickets(Stream):
    stream = "tickets"
    kind_label = "Freshdesk tickets"
    module = freshdesk_json

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        domain = source.setting("domain")
        self.base = str(source.setting("base_url") or (f"https://{domain}.freshdesk.com" if domain else "")).rstrip("/")
        if not self.base:
            raise ConfigError(f"source {source.name!r}: domain (or base_url) is required for kind freshdesk")
        self.per_page = min(int(source.setting("per_page", 100)), 100)
        self.page_cap = int(source.setting("page_cap", 300))
        self.overlap = timedelta(seconds=float(source.setting("overlap_s", 300)))

    def _auth(self) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{self.source.secret('api_key')}:X".encode()).decode()}

    def start_cursor(self) -> dict[str, Any]:
        start = _parse(self.source.setting("start")) if self.source.setting("start") else None
        first = _iso(start or datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1))
        return {"since": first, "page": 1, "newest": first}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        params = {
            "updated_since": cursor["since"],
            "order_by": "updated_at",
            "order_type": "asc",
            "per_page": self.per_page,
            "page": cursor["page"],
        }
        if self.source.setting("include", "stats,requester"):
            params["include"] = self.source.setting("include", "stats,requester")
        r = http.request("GET", f"{self.base}/api/v2/tickets", params=params, headers=self._auth())
        tickets = r.json()
        if not isinstance(tickets, list):
            raise http.Permanent(f"{self.base}/api/v2/tickets: the answer is not a JSON array of tickets")
        seen = [t for t in (_parse(x.get("updated_at")) for x in tickets if isinstance(x, dict)) if t]
        newest = max([*seen, _parse(cursor["newest"]) or datetime.min])
        more = len(tickets) >= self.per_page or 'rel="next"' in r.headers.get("link", "")
        if more and cursor["page"] >= self.page_cap:
            new = {"since": _iso(newest), "page": 1, "newest": _iso(newest)}
        elif more:
            new = {**cursor, "page": cursor["page"] + 1, "newest": _iso(newest)}
        else:
            new = {"since": _iso(newest - self.overlap), "page": 1, "newest": _iso(newest)}
        wait = None
        if r.headers.get("x-ratelimit-remaining", "").strip() == "0":
            wait = http.retry_after(r.headers.get("retry-after")) or float(self.source.setting("rate_pause_s", 60))
        summary = f"{len(tickets)} tickets updated since {cursor['since']} (page {cursor['page']})"
        return Page(tickets, new, more, newest if not more else None, summary, wait_s=wait)


def streams(source: SourceConfig) -> list[Stream]:
    source.secret("api_key")
    return [Tickets(source)]
