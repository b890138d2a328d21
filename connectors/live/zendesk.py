"""Zendesk Support, pulled: tickets by the cursor-based incremental export, and satisfaction ratings.

Settings (live.toml): ``subdomain`` (or ``base_url``), ``email`` with the secret ``token`` (API
token: basic auth ``{email}/token:{token}``) or the secret ``oauth_token`` (bearer); ``start``
(ISO 8601 or Unix seconds; default 24 h before the first run); ``include`` (sideloads, default
``metric_sets,users,groups``); ``ratings`` (default true); ``min_request_interval_s`` (default 6:
the incremental endpoints allow 10 requests a minute).

``tickets`` — ``GET /api/v2/incremental/tickets/cursor.json?start_time=…`` once, then
``?cursor=<after_cursor>`` for ever (``exclude_deleted=true``; ticket metrics come with the
``metric_sets`` sideload). Each page is read by connectors/zendesk_incremental.py; ``end_of_stream``
means caught up (Zendesk leaves out the last minute's changes, so the watermark is a minute
before the request). A cursor Zendesk refuses (400/404/422) restarts the export at the newest
``generated_timestamp`` seen − 5 min; the overlap collapses on the ticket id.

``ratings`` — ``GET /api/v2/satisfaction_ratings?start_time=…&page[size]=100``, following
``links.next`` while ``meta.has_more``; read by connectors/zendesk_satisfaction.py. Each run starts
10 minutes before the newest ``updated_at`` of the previous one (ratings change; the rating of a
ticket collapses on ``ticket-<id>``). Admin-only in Zendesk: a 403 stops this stream alone.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from typing import Any

from connectors import zendesk_incremental, zendesk_satisfaction
from connectors.live import http
from connectors.live.config import ConfigError, SourceConfig
from connectors.live.stream import Page, Stream

DEFAULT_INCLUDE = "metric_sets,users,groups"
CURSOR_OVERLAP_S = 300
RATINGS_OVERLAP_S = 600


def base_url(source: SourceConfig) -> str:
    url = source.setting("base_url") or (
        f"https://{source.required('subdomain')}.zendesk.com" if source.setting("subdomain") else None
    )
    if not url:
        raise ConfigError(f"source {source.name!r}: subdomain (or base_url) is required for kind zendesk")
    return str(url).rstrip("/")


def auth(source: SourceConfig) -> dict[str, str]:
    oauth = source.secret("oauth_token", required=False)
    if oauth:
        return {"Authorization": f"Bearer {oauth}"}
    token = source.secret("token")
    pair = f"{source.required('email')}/token:{token}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def epoch(value: Any, default: int) -> int:
    """``start`` as Unix seconds: a number, or ISO 8601 (UTC when no offset)."""
    if value in (None, ""):
        return default
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        t = value
    else:
        try:
            t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as e:
            raise ConfigError(f"start {value!r} is not ISO 8601 or Unix seconds") from e
    return int((t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp())


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _stamp(text: Any) -> int | None:
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


class Tickets(Stream):
    stream = "tickets"
    kind_label = "Zendesk incremental tickets"
    module = zendesk_incremental
    min_request_interval_s = 6.0

    def start_cursor(self) -> dict[str, Any]:
        start = epoch(self.source.setting("start"), int(time.time()) - 86_400)
        return {"start_time": start, "after_cursor": None, "newest_generated": start}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        url = f"{base_url(self.source)}/api/v2/incremental/tickets/cursor.json"
        params = {"include": self.source.setting("include", DEFAULT_INCLUDE), "exclude_deleted": "true"}
        requested_at = time.time()
        after = cursor.get("after_cursor")
        where = {"cursor": after} if after else {"start_time": cursor["start_time"]}
        try:
            r = http.request("GET", url, params={**params, **where}, headers=auth(self.source))
        except http.Permanent as e:
            if not (cursor.get("after_cursor") and e.status in (400, 404, 422)):
                raise
            restart = max(int(cursor.get("newest_generated") or cursor["start_time"]) - CURSOR_OVERLAP_S, 0)
            return Page([], {**cursor, "after_cursor": None, "start_time": restart}, True,
                        summary=f"cursor refused ({e}); restarting at {_utc(restart):%Y-%m-%d %H:%M} UTC")  # fmt: skip
        page = r.json()
        if not isinstance(page, dict) or not isinstance(page.get("tickets"), list):
            raise http.Permanent(f"{url}: not a Zendesk incremental export page (no tickets array)")
        tickets = page["tickets"]
        generated = [t.get("generated_timestamp") for t in tickets if isinstance(t, dict)]
        newest = max([int(g) for g in generated if isinstance(g, int | float)] + [int(cursor["newest_generated"])])
        done = bool(page.get("end_of_stream"))
        new = {
            **cursor,
            "after_cursor": page.get("after_cursor") or cursor.get("after_cursor"),
            "newest_generated": newest,
        }
        watermark = _utc(requested_at - 60) if done else _utc(newest)
        state = "caught up" if done else "more pages"
        summary = f"{len(tickets)} tickets; {state}; newest change {_utc(newest):%Y-%m-%d %H:%M:%S} UTC"
        return Page([page] if tickets else [], new, not done, watermark, summary)


class Ratings(Stream):
    stream = "ratings"
    kind_label = "Zendesk satisfaction ratings"
    module = zendesk_satisfaction

    def start_cursor(self) -> dict[str, Any]:
        start = epoch(self.source.setting("start"), int(time.time()) - 86_400)
        return {"since": start, "next": None, "newest": start}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        base = base_url(self.source)
        if cursor.get("next"):
            r = http.request("GET", http.same_origin(base, cursor["next"]), headers=auth(self.source))
        else:
            params = {"start_time": cursor["since"], "page[size]": 100, "sort": "created_at"}
            r = http.request("GET", f"{base}/api/v2/satisfaction_ratings", params=params, headers=auth(self.source))
        page = r.json()
        if not isinstance(page, dict) or not isinstance(page.get("satisfaction_ratings"), list):
            raise http.Permanent(f"{base}/api/v2/satisfaction_ratings: no satisfaction_ratings array in the answer")
        ratings = page["satisfaction_ratings"]
        stamps = [_stamp(x.get("updated_at")) for x in ratings if isinstance(x, dict)]
        newest = max([s for s in stamps if s is not None] + [int(cursor["newest"])])
        meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
        links = page.get("links") if isinstance(page.get("links"), dict) else {}
        more = bool(meta.get("has_more")) and bool(links.get("next"))
        if more:
            new = {**cursor, "next": links["next"], "newest": newest}
        else:  # run complete: the next one starts 10 minutes before the newest rating seen
            new = {"since": max(newest - RATINGS_OVERLAP_S, 0), "next": None, "newest": newest}
        summary = f"{len(ratings)} ratings; newest update {_utc(newest):%Y-%m-%d %H:%M:%S} UTC"
        return Page([page] if ratings else [], new, more, _utc(newest), summary)


def streams(source: SourceConfig) -> list[Stream]:
    base_url(source)
    auth(source)  # a missing credential stops here, before any request
    out: list[Stream] = [Tickets(source)]
    if source.setting("ratings", True):
        out.append(Ratings(source))
    return out
