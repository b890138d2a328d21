"""Sending one message: SMTP email and HTTP webhooks (docs/alerts.md#notifications).

- Email: ``smtplib`` with STARTTLS (default), implicit TLS or none; login when a username is set.
  ``Message-ID`` is derived from the outbox message id, so a copy sent again after a restart is
  recognisably the same message.
- Webhook: ``POST`` of the rendered body (``application/json``) with ``Idempotency-Key: <message
  id>``, and ``X-Recall-Ops-Signature: sha256=<hex HMAC-SHA256 of the body>`` when a secret is set.
  A 2xx answer is success; redirects are not followed.

Failures raise :class:`SendError` with a message that names the destination but never its
password, secret or URL path (a Slack webhook URL is itself a secret).
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlparse

from alerts.notify.config import Email, Webhook


class SendError(Exception):
    pass


def message_id_header(message_id: str) -> str:
    return f"<{hashlib.sha256(message_id.encode()).hexdigest()[:32]}@recall-ops>"


def send_email(cfg: Email, message_id: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg.sender, ", ".join(cfg.to), subject
    msg["Message-ID"], msg["Date"] = message_id_header(message_id), formatdate(usegmt=True)
    msg["X-Recall-Ops-Message"] = message_id
    msg.set_content(body)
    try:
        if cfg.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout_s, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.username:
                smtp.login(cfg.username, cfg.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise SendError(f"email via {cfg.host}:{cfg.port}: {type(e).__name__}: {_short(e)}") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def send_webhook(cfg: Webhook, message_id: str, body: bytes) -> None:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message_id,
        "User-Agent": "recall-ops-alerts",
    }
    if cfg.secret:
        digest = hmac.new(cfg.secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Recall-Ops-Signature"] = f"sha256={digest}"
    request = urllib.request.Request(cfg.url, data=body, headers=headers, method="POST")
    where = f"webhook {cfg.name} ({urlparse(cfg.url).hostname})"
    try:
        with urllib.request.build_opener(_NoRedirect()).open(request, timeout=cfg.timeout_s) as response:
            response.read(65536)
            if not 200 <= response.status < 300:
                raise SendError(f"{where}: HTTP {response.status}")
    except urllib.error.HTTPError as e:
        raise SendError(f"{where}: HTTP {e.code}") from None
    except (OSError, ValueError) as e:
        raise SendError(f"{where}: {type(e).__name__}: {_short(e)}") from None


def _short(e: Exception) -> str:
    return str(e).splitlines()[0][:200] if str(e) else ""
