"""Twilio, pulled: the Calls and Messages list resources of one account.

Settings (live.toml): ``account_sid``, the secret ``auth_token`` (basic auth), ``calls`` and
``messages`` (default true), ``page_size`` (default 1000), ``days`` (default 2: today and
yesterday, UTC), ``base_url`` (default ``https://api.twilio.com``).

The lists filter by UTC **date** only (``StartTime>=`` for calls, ``DateSent>=`` for messages) and
a call's or message's state changes after it starts (status, duration, price), so every run
re-reads ``days`` dates: from ``days`` − 1 days before the date the last complete run started (the
saved cursor; today for a first run). While the puller runs that is the last ``days`` days; after
it was stopped for longer (an outage, a holiday) the run reaches back to where the last one was, so
nothing is skipped (one long run, held in memory until it is complete).
``GET /2010-04-01/Accounts/{sid}/Calls.json?StartTime>=YYYY-MM-DD&PageSize=…``, then ``next_page_uri``
(relative to the base URL) until it is null. The pages of a run are gathered and loaded together
once the run is complete (one transaction, one ledger entry) by connectors/twilio_voice_json.py and
connectors/twilio_messaging_json.py: a call's child legs may sit on another page than its parent,
and the voice connector folds them into it. Rows already stored collapse on their key (a call's sid
with its ``date_updated``; ``<sid>:<status>``), so a re-read never counts twice. A page that fails
is retried alone (429, 5xx); a puller killed mid-run starts the run again. The watermark is the
start of the last complete run.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connectors import twilio_messaging_json, twilio_voice_json
from connectors.live import http
from connectors.live.config import SourceConfig
from connectors.live.stream import Page, Stream

API = "https://api.twilio.com"


class TwilioList(Stream):
    """One list resource, read by runs over the last ``days`` UTC dates."""

    resource = ""
    key = ""
    date_filter = ""

    def __init__(self, source: SourceConfig) -> None:
        super().__init__(source)
        self._run: dict[str, Any] | None = None  # the run in progress: started, next URL, records so far

    def _base(self) -> str:
        return str(self.source.setting("base_url", API)).rstrip("/")

    def _auth(self) -> dict[str, str]:
        pair = f"{self.source.required('account_sid')}:{self.source.secret('auth_token')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}

    def start_cursor(self) -> dict[str, Any]:
        return {"last_run_started": None}

    def first_day(self, cursor: dict[str, Any], now: datetime) -> date:
        """The first UTC date a run starting ``now`` reads: ``days`` − 1 before the date the last
        complete run started (``now`` for a first run), so a run after an outage leaves no gap."""
        back = timedelta(days=max(int(self.source.setting("days", 2)), 1) - 1)
        anchor = now
        last = cursor.get("last_run_started")
        if last:
            try:
                anchor = min(now, datetime.fromisoformat(str(last)).replace(tzinfo=None))
            except ValueError:
                raise http.Permanent(f"{self.name}: saved cursor unreadable ({str(last)[:40]!r})") from None
        return (anchor - back).date()

    def fetch(self, cursor: dict[str, Any]) -> Page:
        if self._run is None:
            started = time.time()
            day = self.first_day(cursor, datetime.fromtimestamp(started, UTC).replace(tzinfo=None))
            sid = self.source.required("account_sid")
            first = f"{self._base()}/2010-04-01/Accounts/{sid}/{self.resource}.json"
            params = {self.date_filter: day.isoformat(), "PageSize": int(self.source.setting("page_size", 1000))}
            self._run = {"started": started, "day": day.isoformat(), "url": first, "params": params, "records": []}
        run = self._run
        r = http.request("GET", run["url"], params=run["params"], headers=self._auth())
        page = r.json()
        if not isinstance(page, dict) or not isinstance(page.get(self.key), list):
            raise http.Permanent(f"{run['url']}: not a Twilio {self.resource} page (no {self.key} array)")
        run["records"].extend(page[self.key])
        nxt = page.get("next_page_uri")
        n = len(run["records"])
        if nxt:
            run["url"], run["params"] = http.same_origin(self._base(), nxt), None
            return Page([], cursor, True, summary=f"run from {run['day']}: {n} {self.key} so far")
        self._run = None
        started = datetime.fromtimestamp(run["started"], UTC).replace(tzinfo=None)
        new = {"last_run_started": started.isoformat()}
        summary = f"run from {run['day']}: {n} {self.key}, complete"
        return Page([{self.key: run["records"]}] if n else [], new, False, started, summary)


class Calls(TwilioList):
    stream, kind_label, module = "calls", "Twilio Calls", twilio_voice_json
    resource, key, date_filter = "Calls", "calls", "StartTime>"


class Messages(TwilioList):
    stream, kind_label, module = "messages", "Twilio Messages", twilio_messaging_json
    resource, key, date_filter = "Messages", "messages", "DateSent>"


def streams(source: SourceConfig) -> list[Stream]:
    source.required("account_sid")
    source.secret("auth_token")
    out: list[Stream] = []
    if source.setting("calls", True):
        out.append(Calls(source))
    if source.setting("messages", True):
        out.append(Messages(source))
    return out
