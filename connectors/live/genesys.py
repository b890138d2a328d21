"""Genesys Cloud, pulled: analytics conversation details by interval, with OAuth client credentials.

Settings (live.toml): ``region`` (the environment's host, e.g. ``mypurecloud.ie``: the token comes
from ``https://login.<region>`` and the API is ``https://api.<region>``; or ``login_url`` and
``api_url``), ``client_id`` and the secret ``client_secret``; ``start`` (ISO 8601; default 24 h
before the first run), ``page_size`` (default 100), ``window_s`` (default 3600), ``lookback_s``
(default 7200), ``lag_s`` (default 300).

Token: ``POST <login>/oauth/token`` with ``grant_type=client_credentials`` and basic auth
``client_id:client_secret``; kept until a minute before ``expires_in``, fetched again on a 401
(once: a second 401 stops the stream — check the client's roles and secret).

Query: ``POST /api/v2/analytics/conversations/details/query`` with ``interval`` "start/end" (ISO
8601), ``order`` asc by ``conversationStart`` and ``paging {pageSize, pageNumber}``; a page with
fewer than ``page_size`` conversations ends its window. A run covers [watermark − lookback_s,
now − lag_s) in windows of ``window_s``, so a conversation that ends (or gets its wrap-up) after a
run is read again by the next ones; each page is read by connectors/genesys_cloud.py, whose rows
are versioned by the latest stamp in the record, so a re-read replaces an older version and never
adds a contact. The cursor (window, page) is saved with each page; the watermark is the end of
the last complete run.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from connectors import genesys_cloud
from connectors.live import http
from connectors.live.config import ConfigError, SourceConfig
from connectors.live.stream import Page, Stream


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Conversations(Stream):
    stream = "conversations"
    kind_label = "Genesys Cloud conversation details"
    module = genesys_cloud

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        region = source.setting("region")
        self.login = str(source.setting("login_url") or (f"https://login.{region}" if region else "")).rstrip("/")
        self.api = str(source.setting("api_url") or (f"https://api.{region}" if region else "")).rstrip("/")
        if not self.login or not self.api:
            raise ConfigError(f"source {source.name!r}: region (or login_url and api_url) is required for kind genesys")
        self.page_size = int(source.setting("page_size", 100))
        self.window = timedelta(seconds=float(source.setting("window_s", 3600)))
        self.lookback = timedelta(seconds=float(source.setting("lookback_s", 7200)))
        self.lag = timedelta(seconds=float(source.setting("lag_s", 300)))
        self._token: tuple[str, float] | None = None  # (access token, expires at, monotonic)

    def _token_header(self, fresh: bool = False) -> dict[str, str]:
        if fresh or self._token is None or time.monotonic() > self._token[1]:
            pair = f"{self.source.required('client_id')}:{self.source.secret('client_secret')}".encode()
            r = http.request(
                "POST",
                f"{self.login}/oauth/token",
                data=urlencode({"grant_type": "client_credentials"}).encode(),
                headers={
                    "Authorization": "Basic " + base64.b64encode(pair).decode(),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            body = r.json()
            if not isinstance(body, dict) or not body.get("access_token"):
                raise http.Permanent(f"{self.login}/oauth/token: no access_token in the answer")
            expires = float(body.get("expires_in") or 3600)
            self._token = (str(body["access_token"]), time.monotonic() + max(expires - 60, 1))
        return {"Authorization": f"Bearer {self._token[0]}"}

    def _query(self, body: dict[str, Any]) -> Any:
        url = f"{self.api}/api/v2/analytics/conversations/details/query"
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        try:
            return http.request("POST", url, data=data, headers={**headers, **self._token_header()}).json()
        except http.Permanent as e:
            if e.status != 401:
                raise
        return http.request("POST", url, data=data, headers={**headers, **self._token_header(fresh=True)}).json()

    def start_cursor(self) -> dict[str, Any]:
        start = self.source.setting("start")
        first = _parse(str(start)) if start else _now() - timedelta(days=1)
        return {"watermark": _iso(first), "window_start": None, "run_end": None, "page": 1, "runs": 0}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        c = dict(cursor)
        if c["window_start"] is None:  # a new run
            wm = _parse(c["watermark"])
            c["window_start"] = _iso(wm - self.lookback if c["runs"] else wm)
            c["run_end"] = _iso(_now() - self.lag)
            c["page"] = 1
        start, run_end = _parse(c["window_start"]), _parse(c["run_end"])
        if start >= run_end:
            return Page([], {**c, "window_start": None}, False, _parse(c["watermark"]), "nothing new yet")
        end = min(start + self.window, run_end)
        body = {
            "interval": f"{_iso(start)}/{_iso(end)}",
            "order": "asc",
            "orderBy": "conversationStart",
            "paging": {"pageSize": self.page_size, "pageNumber": c["page"]},
        }
        answer = self._query(body)
        if not isinstance(answer, dict):
            raise http.Permanent(f"{self.api}: the details query answer is not a JSON object")
        conversations = answer.get("conversations") or []
        if not isinstance(conversations, list):
            raise http.Permanent(f"{self.api}: conversations is not a list")
        summary = f"{len(conversations)} conversations in {body['interval']} page {c['page']}"
        records = [{"conversations": conversations}] if conversations else []
        if len(conversations) >= self.page_size:
            return Page(records, {**c, "page": c["page"] + 1}, True, _parse(c["watermark"]), summary)
        if end < run_end:
            return Page(records, {**c, "window_start": _iso(end), "page": 1}, True, _parse(c["watermark"]), summary)
        done = {"watermark": c["run_end"], "window_start": None, "run_end": None, "page": 1, "runs": c["runs"] + 1}
        return Page(records, done, False, run_end, summary + "; run complete")


def streams(source: SourceConfig) -> list[Stream]:
    source.required("client_id")
    source.secret("client_secret")
    return [Conversations(source)]
