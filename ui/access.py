"""Who may see what (README.md#sign-in-roles-and-privacy): sign-in roles, the wall token, and personal data.

Roles:

- ``viewer``: the dashboards (Overview, Stand-up, Channels, Quality, Coverage) and Alerts (to see);
- ``analyst``: also Upload (load, undo), except recall definitions (a recall TOML, and undo of a
  load that wrote one): those change every number, and are the admins'; and on Alerts:
  acknowledge, silence, edit rules; and Reports (regulator reports, the post-recall review: the
  filings are prepared and sent by analysts; no report shows unmasked personal data);
- ``admin``: also Settings, and unmasked customer emails and phones in the UI and in downloads;
- ``wall``: an unattended TV given ``?wall=<token>``: the stand-up page only, in kiosk mode;
- ``open``: no identity provider configured (no ``[auth]`` in secrets.toml): every page, on
  localhost only, personal data masked (nobody is known to be an admin).

The mapping lives in ``.streamlit/secrets.toml``::

    [recall_ops]
    wall_token = "a-long-random-string"
    # provider = "okta"   # optional: sign in with [auth.okta] instead of the [auth] default

    [recall_ops.roles]
    admins = ["ops.lead@example.com", "group:recall-admins"]
    analysts = ["@example.com"]
    # viewers = ["@example.com", "@partner.example"]   # optional: if set, nobody else gets in

An entry is an email (exact, any case), ``@domain`` (every address in that domain),
``group:NAME`` (a name in the identity token's ``groups`` claim) or ``sub:ID`` (the token's
subject). An email counts only when the provider marks it verified (``email_verified`` true).
The first of admins, analysts, viewers that matches wins; a signed-in user matching none is a
viewer unless ``viewers`` is set.

The rules (``role_for``, ``pages_for``, ``shows_pii``, ``wall_token_ok``) are pure functions; the
Streamlit side reads the identity through :func:`identity` alone.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from ui.navigation import PAGES, open_to, wall_pages

VIEWER, ANALYST, ADMIN, WALL, OPEN = "viewer", "analyst", "admin", "wall", "open"
_ROLE_KEYS = ((ADMIN, "admins"), (ANALYST, "analysts"), (VIEWER, "viewers"))
WALL_KEY = "access_wall"  # session state: digest of the valid wall token this session showed


def _matches(entry: str, email: str | None, groups: set[str], subject: str | None = None) -> bool:
    entry = entry.strip()
    if entry.lower().startswith("group:"):
        return entry[len("group:") :].strip() in groups
    if entry.lower().startswith("sub:"):
        return bool(subject) and entry[len("sub:") :].strip() == subject
    if not email:
        return False
    if entry.startswith("@"):
        return email.lower().endswith(entry.lower())
    return email.lower() == entry.lower()


def role_for(
    email: str | None, groups: Iterable[str] | None, config: Mapping[str, Any], subject: str | None = None
) -> str | None:
    """The role of a signed-in user, or None when ``config`` lists viewers and they match none.

    ``config`` is the ``[recall_ops]`` table (its ``roles`` sub-table holds the lists); ``email``
    must be one the provider verified (:func:`verified_email`); ``subject`` is the token's ``sub``."""
    roles = config.get("roles", {}) or {}
    group_set = {str(g) for g in ([groups] if isinstance(groups, str) else groups or [])}
    for role, key in _ROLE_KEYS:
        entries = roles.get(key) or []
        if isinstance(entries, str):
            entries = [entries]
        if any(_matches(str(e), email, group_set, subject) for e in entries):
            return role
    return None if roles.get("viewers") else VIEWER


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The ``email`` claim when the provider says it verified it (``email_verified`` true, or the
    string "true" some providers send); None otherwise, absent included: an address anyone can
    type into their profile at the provider must not decide a role."""
    email = claims.get("email")
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        verified = verified.strip().lower() == "true"
    return str(email) if email and verified is True else None


def pages_for(role: str | None) -> list[str]:
    """The page names (pages/NAME.py) a role may open, in menu order (ui/navigation.py: each page's
    audience); none for an unknown or absent role."""
    if role == WALL:
        return [p.name for p in wall_pages()]
    if role == OPEN:
        return [p.name for p in PAGES]
    return [p.name for p in open_to(role)] if role in (VIEWER, ANALYST, ADMIN) else []


def defines_recalls(role: str | None) -> bool:
    """Loading, changing or undoing a recall definition (it changes every number): admins, and open
    mode (localhost, where Settings is open too)."""
    return role in (ADMIN, OPEN)


def edits_alerts(role: str | None) -> bool:
    """Acknowledge, silence and edit alert rules: analysts and admins (and open mode, localhost)."""
    return role in (ANALYST, ADMIN, OPEN)


def shows_pii(role: str | None) -> bool:
    """Unmasked customer emails and phones: admins only."""
    return role == ADMIN


def wall_token_ok(given: str | None, config: Mapping[str, Any]) -> bool:
    """True when ``given`` is the configured wall token (an unset or empty token never matches)."""
    expected = str(config.get("wall_token") or "")
    return bool(expected) and bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def is_loopback(address: str | None) -> bool:
    """``server.address`` binds to this machine only (unset means every interface)."""
    if not address:
        return False
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def host_is_loopback(host: str | None) -> bool:
    """A ``Host`` header (or an ``Origin``'s host) naming this machine: ``localhost`` or a loopback
    address, with or without a port. Open mode answers only to these, so a page fetched under
    another name that resolves here (DNS rebinding) is refused."""
    if not host:
        return False
    text = host.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0]
    if text.startswith("["):  # [::1]:8501
        name = text[1 : text.find("]")] if "]" in text else ""
    else:
        name = text.rsplit(":", 1)[0] if text.count(":") == 1 else text
    return is_loopback(name.rstrip("."))


def local_request(headers: Mapping[str, str]) -> bool:
    """The request's ``Host`` and, when sent, ``Origin`` both name this machine (open mode)."""
    lower = {k.lower(): v for k, v in headers.items()}
    origin = lower.get("origin")
    return host_is_loopback(lower.get("host")) and (origin in (None, "", "null") or host_is_loopback(origin))


# --- the Streamlit side -------------------------------------------------------------------------


def _secrets() -> Mapping[str, Any]:
    import streamlit as st

    try:
        return st.secrets if st.secrets.load_if_toml_exists() else {}
    except Exception:  # an unreadable secrets.toml is reported by Streamlit itself
        return {}


def config() -> Mapping[str, Any]:
    """The ``[recall_ops]`` table of secrets.toml (empty when absent)."""
    return _secrets().get("recall_ops", {}) or {}


def provider_configured() -> bool:
    """An identity provider is configured (``[auth]`` in secrets.toml)."""
    return bool(_secrets().get("auth"))


AUTH_COOKIE = "_streamlit_user"
MAX_SESSION_HOURS = 12.0  # default of [recall_ops] max_session_hours


def identity() -> tuple[str | None, list[str], str | None] | None:
    """(verified email, groups, subject) of the signed-in user, or None when nobody is signed in —
    or the sign-in no longer counts (:func:`sign_in_ended`).

    The one place that reads ``st.user``. An email the provider has not marked verified is not
    used for the role mapping (:func:`verified_email`); groups and the subject still are."""
    import streamlit as st

    user = st.user
    if not user.get("is_logged_in") or sign_in_ended() is not None:
        return None
    groups = user.get("groups") or []
    groups = [groups] if isinstance(groups, str) else [str(g) for g in groups]
    subject = user.get("sub")
    return verified_email(user), groups, (str(subject) if subject else None)


def _cookie_digest() -> str | None:
    import streamlit as st

    cookie = (st.context.cookies or {}).get(AUTH_COOKIE)
    return hashlib.sha256(cookie.encode()).hexdigest() if cookie else None


def session_too_old(issued_at: object, max_hours: float, now_s: float) -> bool:
    """An ID token issued (``iat``, epoch seconds) more than ``max_hours`` ago; unknown: not."""
    try:
        return now_s - float(issued_at) > max_hours * 3600
    except (TypeError, ValueError):
        return False


def sign_in_ended() -> str | None:
    """Why a browser's sign-in cookie no longer counts, or None: it was signed out (a copy of it
    replayed after sign-out), or the sign-in is older than ``max_session_hours`` (12 by default;
    Streamlit's own cookie lives 30 days)."""
    import time

    import streamlit as st

    user = st.user
    if not user.get("is_logged_in"):
        return None
    digest = _cookie_digest()
    if digest is not None:
        from ui import data

        if data.signed_out(digest):
            return "This sign-in was signed out."
    hours = float(config().get("max_session_hours") or MAX_SESSION_HOURS)
    if session_too_old(user.get("iat"), hours, time.time()):
        return f"Your sign-in is older than {hours:g} hours."
    return None


def sign_out() -> None:
    """Sign this browser out: its cookie is remembered as signed out (a copy replayed later does
    not count), then Streamlit's own sign-out (which clears the cookie and ends the provider's
    session)."""
    import streamlit as st

    digest = _cookie_digest()
    if digest is not None:
        from ui import data

        data.record_sign_out(digest)
    st.logout()


def shown_name() -> str | None:
    """The signed-in user's email (verified or not) or name, for display and attribution only."""
    import streamlit as st

    user = st.user
    if not user.get("is_logged_in") or sign_in_ended() is not None:
        return None
    return str(user.get("email") or user.get("name") or user.get("sub") or "signed in")


OPEN_ACTOR = "open mode (localhost)"


def actor() -> str:
    """Who is making a change, for the ledger and the settings table: the signed-in user's email
    (or name), ``open mode (localhost)`` without sign-in, ``wall`` for a wall session."""
    role = current_role()
    if role == WALL:
        return "wall"
    return shown_name() or (OPEN_ACTOR if role == OPEN else "unknown")


def token_digest(token: object) -> str:
    """SHA-256 of a wall token (what a session keeps instead of the token); empty for no token."""
    return hashlib.sha256(str(token).encode()).hexdigest() if token else ""


def current_role() -> str | None:
    """This session's role: wall (a valid ``?wall=`` token, or a session that showed one that is
    still the configured token), open (no provider), else from the signed-in identity (None: not
    signed in, or not allowed). A wall session keeps the digest of the token it showed and it is
    compared with the configured one on every run: a rotated token ends every old wall session."""
    import streamlit as st

    cfg = config()
    current = token_digest(cfg.get("wall_token"))
    held = st.session_state.get(WALL_KEY)
    if held and current and hmac.compare_digest(str(held), current):
        return WALL
    st.session_state.pop(WALL_KEY, None)
    if wall_token_ok(st.query_params.get("wall"), cfg):
        st.session_state[WALL_KEY] = current
        return WALL
    if not provider_configured():
        return OPEN
    who = identity()
    if who is None:
        return None
    return role_for(who[0], who[1], cfg, who[2])


def wall_session_ended() -> bool:
    """A wall session whose token is no longer the configured one (checked by the stand-up's
    fragment runs, which do not run app.py: the page then reruns whole, and is refused)."""
    import streamlit as st

    held = st.session_state.get(WALL_KEY)
    return bool(held) and not hmac.compare_digest(str(held), token_digest(config().get("wall_token")))


def may_define_recalls() -> bool:
    """Whether this session may load, change or undo recall definitions (:func:`defines_recalls`)."""
    return defines_recalls(current_role())


def show_pii() -> bool:
    """Whether this session may see customer emails and phones unmasked."""
    return shows_pii(current_role())


def foreign_host_in_open_mode() -> str | None:
    """In open mode, the Host this session's page was asked for when it is not a loopback name
    (DNS rebinding), else None."""
    import streamlit as st

    if provider_configured():
        return None
    headers = dict(st.context.headers or {})
    if not headers or local_request(headers):  # no headers at all: no HTTP request (AppTest)
        return None
    return next((v for k, v in headers.items() if k.lower() == "host"), None) or "(none)"


def kiosk() -> bool:
    """No navigation or chrome: ``?kiosk=1``, or a wall session."""
    import streamlit as st

    return st.query_params.get("kiosk") in ("1", "true", "yes") or current_role() == WALL
