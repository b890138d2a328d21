"""Webhook signatures, checked over the raw bytes before anything is parsed.

- **SendGrid** signed Event Webhook: ECDSA P-256 with SHA-256 over ``timestamp + raw body`` (no
  separator); the ``X-Twilio-Email-Event-Webhook-Signature`` header is base64 of the DER
  signature, the key is base64 of the DER SubjectPublicKeyInfo as SendGrid shows it. A timestamp
  more than ``MAX_SKEW_S`` from now (either way) is refused: a replay.
- **WhatsApp** (Meta): ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``.
- **Twilio**: ``X-Twilio-Signature`` = base64 HMAC-SHA1 (auth token) of the full URL Twilio called,
  followed by each POST parameter's name and value, names sorted (a repeated name: each value,
  sorted). The URL is tried as configured, and with its port removed or the scheme's default port
  added (Twilio's own validator does the same). With a ``bodySHA256`` query parameter (JSON bodies) the URL alone
  is signed and the body's SHA-256 must match it.
HMACs are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

MAX_SKEW_S = 300


class BadKey(ValueError):
    """A configured key that cannot be used (named so in the message)."""


def sendgrid_key(public_key_b64: str) -> ec.EllipticCurvePublicKey:
    """The verification key from SendGrid's base64 DER (PEM armour, if pasted, is accepted too)."""
    text = "".join(line for line in public_key_b64.strip().splitlines() if not line.startswith("-----"))
    try:
        key = load_der_public_key(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error) as e:
        raise BadKey(f"the SendGrid public_key is not base64 of a DER public key ({e})") from e
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise BadKey("the SendGrid public_key is not an ECDSA P-256 key")
    return key


def sendgrid_ok(
    key: ec.EllipticCurvePublicKey, signature_b64: str, timestamp: str, raw: bytes, now: float | None = None
) -> str | None:
    """None when the signature is valid and fresh, else why not."""
    try:
        at = int(timestamp)
    except ValueError:
        return "the timestamp header is not a number"
    now = time.time() if now is None else now
    if abs(now - at) > MAX_SKEW_S:
        return f"the timestamp is {abs(now - at):.0f} s from now (more than {MAX_SKEW_S} s): refused as a replay"
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), timestamp.encode() + raw, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, binascii.Error):
        return "the signature does not match the body"
    return None


def whatsapp_ok(app_secret: str, header: str, raw: bytes) -> bool:
    """The ``X-Hub-Signature-256`` header matches the body."""
    given = header.strip()
    if not given.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given[len("sha256=") :].lower(), expected)


def twilio_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    """Twilio's signature of ``url`` and the POST ``params``."""
    data = url
    for name in sorted({k for k, _ in params}):
        for value in sorted(v for k, v in params if k == name):
            data += name + value
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def _with_and_without_port(url: str) -> list[str]:
    """``url``, and ``url`` with its port removed (any port) or, without one, the scheme's default added."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        return [url, urlunsplit(parts._replace(netloc=host))]
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return [url] if default is None else [url, urlunsplit(parts._replace(netloc=f"{host}:{default}"))]


def twilio_ok(auth_token: str, url: str, params: list[tuple[str, str]], signature: str, raw: bytes = b"") -> bool:
    """The ``X-Twilio-Signature`` header matches ``url`` (with its query) and the POST ``params``."""
    query = dict(parse_qsl(urlsplit(url).query))
    if "bodySHA256" in query:
        if not hmac.compare_digest(hashlib.sha256(raw).hexdigest(), query["bodySHA256"]):
            return False
        params = []
    return any(
        hmac.compare_digest(twilio_signature(auth_token, candidate, params), signature.strip())
        for candidate in _with_and_without_port(url)
    )
