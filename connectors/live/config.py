"""``live.toml``: which sources ``python -m connectors pull`` reads, and where their credentials are.

    [[source]]
    name = "zendesk"            # letters, digits, _ and -; ledger entries say loaded_by = "pull:zendesk/<stream>"
    kind = "zendesk"            # zendesk | twilio | genesys | freshdesk | sql
    interval_s = 60             # seconds between polls once caught up (default 60)
    subdomain = "acme"          # kind-specific settings: docs/live-sources.md
    email = "ops@acme.example"

Credentials never go in live.toml (a file that gets copied and committed): each kind's secret keys
(:data:`SECRET_KEYS`) come from the environment, ``RECALL_OPS_PULL_<NAME>_<KEY>`` (upper case,
``-`` as ``_``), else from ``.streamlit/secrets.toml`` under ``[recall_ops.pull.<name>]``; a secret
key written in live.toml is refused with a message saying where it belongs. Values are never
printed or logged.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("zendesk", "twilio", "genesys", "freshdesk", "sql")
SECRET_KEYS = {
    "zendesk": ("token", "oauth_token"),
    "twilio": ("auth_token",),
    "genesys": ("client_secret",),
    "freshdesk": ("api_key",),
    "sql": ("url",),
}
DEFAULT_SECRETS = Path(".streamlit") / "secrets.toml"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class ConfigError(ValueError):
    """live.toml or a credential cannot be used; the message says which and why."""


@dataclass
class SourceConfig:
    name: str
    kind: str
    interval_s: float
    settings: dict[str, Any]
    secrets: dict[str, str] = field(repr=False, default_factory=dict)

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def required(self, key: str) -> Any:
        value = self.settings.get(key)
        if value in (None, ""):
            raise ConfigError(f"source {self.name!r}: {key} is required for kind {self.kind}")
        return value

    def secret(self, key: str, required: bool = True) -> str | None:
        value = self.secrets.get(key)
        if not value and required:
            env = env_name(self.name, key)
            raise ConfigError(
                f"source {self.name!r}: no {key} — set ${env} or {key} under [recall_ops.pull.{self.name}] "
                "in .streamlit/secrets.toml"
            )
        return value or None


def env_name(source: str, key: str) -> str:
    return f"RECALL_OPS_PULL_{source}_{key}".upper().replace("-", "_")


def load(path: str | Path, secrets_path: str | Path | None = None) -> list[SourceConfig]:
    """Every ``[[source]]`` of ``path`` with its credentials; :class:`ConfigError` listing every problem."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    stored = _secrets(Path(secrets_path) if secrets_path else DEFAULT_SECRETS)
    entries = doc.get("source")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[source]] entries")
    problems: list[str] = []
    out: list[SourceConfig] = []
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: source #{i}"
        name, kind = str(entry.get("name", "")), str(entry.get("kind", ""))
        if not _NAME.match(name):
            problems.append(f"{where}: name must be letters, digits, _ or - (got {name!r})")
            continue
        if name in {s.name for s in out}:
            problems.append(f"{where}: the name {name!r} is used twice")
        if kind not in KINDS:
            problems.append(f"{where} ({name}): kind must be one of {', '.join(KINDS)} (got {kind!r})")
            continue
        leaked = [k for k in SECRET_KEYS[kind] if k in entry]
        if leaked:
            problems.append(
                f"{where} ({name}): {', '.join(leaked)} is a credential and does not belong in {Path(path).name}; "
                f"set ${env_name(name, leaked[0])} or put it under [recall_ops.pull.{name}] in .streamlit/secrets.toml"
            )
        try:
            interval = float(entry.get("interval_s", 60))
        except (TypeError, ValueError):
            interval = -1.0
        if interval <= 0:
            problems.append(f"{where} ({name}): interval_s must be a positive number of seconds")
        settings = {k: v for k, v in entry.items() if k not in ("name", "kind", "interval_s")}
        table = stored.get(name) if isinstance(stored.get(name), dict) else {}
        secrets = {}
        for key in SECRET_KEYS[kind]:
            value = os.environ.get(env_name(name, key)) or table.get(key)
            if value:
                secrets[key] = str(value)
        out.append(SourceConfig(name, kind, interval, settings, secrets))
    if problems:
        raise ConfigError("; ".join(problems))
    return out


def _secrets(path: Path) -> dict[str, Any]:
    """``[recall_ops.pull]`` of secrets.toml (empty when the file is absent)."""
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the secrets file ({type(e).__name__})") from e
    pull = (doc.get("recall_ops") or {}).get("pull") or {}
    return pull if isinstance(pull, dict) else {}
