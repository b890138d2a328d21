"""Where notifications go: ``[recall_ops.alerts]`` in ``.streamlit/secrets.toml`` (docs/alerts.md#notifications).

```toml
[recall_ops.alerts]
dashboard_url = "https://recall-ops.example.com"   # optional: links in messages
digest_at = "08:30"        # optional: a daily digest at this local time (each recall's zone)
group_wait_s = 30          # defaults shown
group_interval_s = 300

[recall_ops.alerts.email]
host = "smtp.example.com"
port = 587
security = "starttls"      # starttls (default), ssl or none
username = "alerts@example.com"
password = "..."
sender = "Recall Ops <alerts@example.com>"
to = ["ops-lead@example.com", "recall-team@example.com"]

[[recall_ops.alerts.webhooks]]
name = "slack-ops"
url = "https://hooks.slack.com/services/T000/B000/XXXX"
format = "slack"           # slack (incoming-webhook body) or json (generic)
secret = "..."             # optional: X-Recall-Ops-Signature = sha256=HMAC(secret, body)
```

The file is read the way Streamlit reads it: ``~/.streamlit/secrets.toml`` and then the project's
``.streamlit/secrets.toml`` (which wins), or one ``--secrets`` file. Every problem is reported at
once, naming the key; secrets never appear in a message.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Email:
    host: str
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str = "Recall Ops <recall-ops@localhost>"
    to: tuple[str, ...] = ()
    timeout_s: float = 20.0


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    format: str = "json"
    secret: str | None = None
    timeout_s: float = 10.0


@dataclass(frozen=True)
class Config:
    email: Email | None = None
    webhooks: tuple[Webhook, ...] = ()
    digest_at: time | None = None
    group_wait_s: float = 30.0
    group_interval_s: float = 300.0
    dashboard_url: str | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def channels(self) -> list[str]:
        """``email`` and ``webhook:<name>`` for each configured destination."""
        return (["email"] if self.email else []) + [f"webhook:{w.name}" for w in self.webhooks]


NONE = Config()
EMAIL_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def parse(table: Any) -> Config:
    """A Config from the ``[recall_ops.alerts]`` table; ConfigError listing every problem."""
    if not table:
        return NONE
    if not isinstance(table, dict):
        raise ConfigError("[recall_ops.alerts] must be a table")
    p: list[str] = []
    email = _email(table.get("email"), p) if table.get("email") else None
    hooks = table.get("webhooks") or []
    if not isinstance(hooks, list):
        p.append("[[recall_ops.alerts.webhooks]] must be an array of tables")
        hooks = []
    webhooks = tuple(w for i, h in enumerate(hooks) if (w := _webhook(h, i, p)))
    names = [w.name for w in webhooks]
    p += [f"webhook name {n!r} is used twice" for n in sorted({n for n in names if names.count(n) > 1})]
    digest = None
    if table.get("digest_at") is not None:
        m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(table["digest_at"]))
        if m:
            digest = time(int(m.group(1)), int(m.group(2)))
        else:
            p.append('digest_at must be a local time HH:MM, e.g. "08:30"')
    wait, interval = table.get("group_wait_s", 30), table.get("group_interval_s", 300)
    if not _number(wait, 0, 3600) or not _number(interval, 1, 86400):
        p.append("group_wait_s must be 0–3600 and group_interval_s 1–86400 seconds")
        wait, interval = 30, 300
    url = table.get("dashboard_url")
    if url is not None and urlparse(str(url)).scheme not in ("http", "https"):
        p.append("dashboard_url must be an http(s) address")
    if p:
        raise ConfigError("[recall_ops.alerts]: " + "; ".join(p))
    return Config(email, webhooks, digest, float(wait), float(interval), str(url) if url else None)


def _number(value: Any, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def _email(t: Any, problems: list[str]) -> Email | None:
    if not isinstance(t, dict):
        problems.append("[recall_ops.alerts.email] must be a table")
        return None
    p: list[str] = []
    to = t.get("to") or []
    to = [to] if isinstance(to, str) else to
    bad = [a for a in to if not isinstance(a, str) or not EMAIL_ADDRESS.match(a)]
    if not to or bad:
        p.append("email.to must list one or more email addresses")
    if not isinstance(t.get("host"), str) or not t.get("host"):
        p.append("email.host is required")
    port = t.get("port", 587 if t.get("security", "starttls") != "ssl" else 465)
    if not _number(port, 1, 65535):
        p.append("email.port must be 1–65535")
    if t.get("security", "starttls") not in ("starttls", "ssl", "none"):
        p.append("email.security must be starttls, ssl or none")
    if (t.get("username") is None) != (t.get("password") is None):
        p.append("email.username and email.password go together")
    if not _number(t.get("timeout_s", 20), 1, 300):
        p.append("email.timeout_s must be 1–300")
    problems += p
    if p:
        return None
    return Email(
        t["host"],
        int(port),
        t.get("security", "starttls"),
        t.get("username"),
        t.get("password"),
        str(t.get("sender") or Email.sender),
        tuple(to),
        float(t.get("timeout_s", 20)),
    )


def _webhook(t: Any, i: int, p: list[str]) -> Webhook | None:
    where = f"webhooks[{i}]"
    if not isinstance(t, dict):
        p.append(f"{where} must be a table")
        return None
    url, fmt = t.get("url"), t.get("format", "json")
    name = str(t.get("name") or f"webhook-{i + 1}")
    ok = True
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        p.append(f"{where}.url must be an http(s) address")
        ok = False
    if fmt not in ("json", "slack"):
        p.append(f"{where}.format must be json or slack")
        ok = False
    if not re.fullmatch(r"[\w.-]{1,40}", name):
        p.append(f"{where}.name: letters, digits, '.', '-' or '_', at most 40")
        ok = False
    if not _number(t.get("timeout_s", 10), 1, 120):
        p.append(f"{where}.timeout_s must be 1–120")
        ok = False
    secret = t.get("secret")
    return Webhook(name, url, fmt, str(secret) if secret else None, float(t.get("timeout_s", 10))) if ok else None


def secrets_files(project: Path | None = None) -> list[Path]:
    """Streamlit's places: the user's, then the project's (later wins)."""
    project = project or Path.cwd()
    return [Path.home() / ".streamlit" / "secrets.toml", project / ".streamlit" / "secrets.toml"]


def load(files: list[Path] | None = None) -> Config:
    """The configuration from secrets files (missing files are skipped); ConfigError if unreadable."""
    merged: dict[str, Any] = {}
    for path in files if files is not None else secrets_files():
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
            raise ConfigError(f"{path}: not a readable TOML file ({e})") from e
        alerts = (data.get("recall_ops") or {}).get("alerts")
        if alerts is not None:
            merged = alerts
    return parse(merged)
