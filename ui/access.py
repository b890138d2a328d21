"""Who may see what (README.md#sign-in-roles-and-privacy): sign-in roles, the wall token, and personal data.

Roles:

- ``viewer``: the dashboards (Overview, Stand-up, Channels, Quality, Coverage);
- ``analyst``: also Reports (regulator reports, the post-recall review) and Upload (load, undo);
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

An entry is an email (exact, any case), ``@domain`` (every address in that domain) or
``group:NAME`` (a name in the identity token's ``groups`` claim). The first of admins, analysts,
viewers that matches wins; a signed-in user matching none is a viewer unless ``viewers`` is set.

The rules (``role_for``, ``pages_for``, ``shows_pii``, ``wall_token_ok``) are pure functions; the
Streamlit side reads the identity through :func:`identity` alone.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

VIEWER, ANALYST, ADMIN, WALL, OPEN = "viewer", "analyst", "admin", "wall", "open"
DASHBOARDS = ["overview", "standup", "channels", "quality", "coverage"]
# Reports: the filings and the review are prepared and sent by the analysts; viewers (who may include
# outside partners) see every figure on the dashboards already. No report shows unmasked personal data.
_PAGES = {
    VIEWER: DASHBOARDS,
    ANALYST: [*DASHBOARDS, "reports", "upload"],
    ADMIN: [*DASHBOARDS, "reports", "upload", "settings"],
    OPEN: [*DASHBOARDS, "reports", "upload", "settings"],
    WALL: ["standup"],
}
_ROLE_KEYS = ((ADMIN, "admins"), (ANALYST, "analysts"), (VIEWER, "viewers"))
WALL_KEY = "access_wall"  # session state: this session showed a valid wall token


def _matches(entry: str, email: str | None, groups: set[str]) -> bool:
    entry = entry.strip()
    if entry.lower().startswith("group:"):
        return entry[len("group:") :].strip() in groups
    if not email:
        return False
    if entry.startswith("@"):
        return email.lower().endswith(entry.lower())
    return email.lower() == entry.lower()


def role_for(email: str | None, groups: Iterable[str] | None, config: Mapping[str, Any]) -> str | None:
    """The role of a signed-in user, or None when ``config`` lists viewers and they match none.

    ``config`` is the ``[recall_ops]`` table (its ``roles`` sub-table holds the lists)."""
    roles = config.get("roles", {}) or {}
    group_set = {str(g) for g in ([groups] if isinstance(groups, str) else groups or [])}
    for role, key in _ROLE_KEYS:
        entries = roles.get(key) or []
        if isinstance(entries, str):
            entries = [entries]
        if any(_matches(str(e), email, group_set) for e in entries):
            return role
    return None if roles.get("viewers") else VIEWER


def pages_for(role: str | None) -> list[str]:
    """The page names (pages/NAME.py) a role may open; none for an unknown or absent role."""
    return list(_PAGES.get(role, [])) if role else []


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


def identity() -> tuple[str | None, list[str]] | None:
    """(email, groups) of the signed-in user, or None when nobody is signed in.

    The one place that reads ``st.user``. An email the provider marks unverified is not used for
    the role mapping (groups still are)."""
    import streamlit as st

    user = st.user
    if not user.get("is_logged_in"):
        return None
    email = user.get("email")
    if user.get("email_verified") is False:
        email = None
    groups = user.get("groups") or []
    return (str(email) if email else None), ([groups] if isinstance(groups, str) else [str(g) for g in groups])


def current_role() -> str | None:
    """This session's role: wall (a valid ``?wall=`` token), open (no provider), else from the
    signed-in identity (None: not signed in, or not allowed)."""
    import streamlit as st

    cfg = config()
    if st.session_state.get(WALL_KEY) or wall_token_ok(st.query_params.get("wall"), cfg):
        st.session_state[WALL_KEY] = True
        return WALL
    if not provider_configured():
        return OPEN
    who = identity()
    if who is None:
        return None
    return role_for(who[0], who[1], cfg)


def show_pii() -> bool:
    """Whether this session may see customer emails and phones unmasked."""
    return shows_pii(current_role())


def kiosk() -> bool:
    """No navigation or chrome: ``?kiosk=1``, or a wall session."""
    import streamlit as st

    return st.query_params.get("kiosk") in ("1", "true", "yes") or current_role() == WALL
