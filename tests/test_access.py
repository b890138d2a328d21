"""Sign-in roles (ui/access.py): the pure mapping, and what app.py registers for each role (AppTest
seeds ``st.user`` and ``st.secrets``). The real OIDC round trip is in tests/browser/test_signin.py."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from ui import access

CONFIG = {
    "wall_token": "tv-token-123",
    "roles": {"admins": ["Ops.Lead@example.com", "group:recall-admins"], "analysts": ["@example.com"]},
}
SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "recall-ops",
        "client_secret": "secret",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
    },
    "recall_ops": CONFIG,
}
DASHBOARDS = ["overview", "standup", "channels", "quality", "coverage"]


# --- the pure rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "groups", "role"),
    [
        ("ops.lead@example.com", [], "admin"),  # exact address, any case
        ("someone@example.com", ["recall-admins"], "admin"),  # group wins over the analysts' domain
        ("agent@example.com", [], "analyst"),  # domain
        ("agent@sub.example.com.evil.org", [], "viewer"),  # a domain is matched at the end only
        ("agent@notexample.com", [], "viewer"),
        ("friend@partner.org", ["support"], "viewer"),  # everyone else signed in
        (None, ["recall-admins"], "admin"),  # groups alone (no verified email)
        (None, [], "viewer"),
    ],
)
def test_role_for(email, groups, role):
    assert access.role_for(email, groups, CONFIG) == role


def test_a_viewers_list_keeps_everyone_else_out():
    config = {"roles": {"admins": ["boss@example.com"], "viewers": ["@example.com"]}}
    assert access.role_for("boss@example.com", [], config) == "admin"
    assert access.role_for("agent@example.com", [], config) == "viewer"
    assert access.role_for("stranger@gmail.com", [], config) is None
    assert access.role_for("a@example.com", "staff", {"roles": {"admins": "group:staff"}}) == "admin"  # bare strings
    assert access.role_for("a@b.c", [], {}) == "viewer"


def test_pages_for_each_role():
    assert access.pages_for("viewer") == DASHBOARDS
    assert access.pages_for("analyst") == [*DASHBOARDS, "reports", "upload"]
    assert access.pages_for("admin") == [*DASHBOARDS, "reports", "upload", "settings"]
    assert access.pages_for("open") == [*DASHBOARDS, "reports", "upload", "settings"]
    assert access.pages_for("wall") == ["standup"]
    assert access.pages_for(None) == [] and access.pages_for("root") == []
    assert [r for r in ("viewer", "analyst", "admin", "wall", "open", None) if access.shows_pii(r)] == ["admin"]


def test_wall_token():
    assert access.wall_token_ok("tv-token-123", CONFIG)
    assert not access.wall_token_ok("tv-token-12", CONFIG)
    assert not access.wall_token_ok(None, CONFIG)
    assert not access.wall_token_ok("", {"wall_token": ""})  # an empty token never opens the wall
    assert not access.wall_token_ok("x", {})


def test_loopback():
    assert all(access.is_loopback(a) for a in ("localhost", "127.0.0.1", "::1", "LOCALHOST"))
    assert not any(access.is_loopback(a) for a in (None, "", "0.0.0.0", "192.168.1.5", "example.com"))


# --- what app.py registers ----------------------------------------------------------------------


def app(user: dict | None = None, secrets: dict | None = SECRETS, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if secrets:
        at.secrets = secrets
    if user is not None:
        at.user = user
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def registered(at: AppTest) -> list[str]:
    """The pages st.navigation registered: pages/NAME.py as NAME, a function page as ``fn:TITLE``."""
    return [
        p["script_path"].rsplit("/", 1)[-1].removesuffix(".py") if p["script_path"] else f"fn:{p['page_name']}"
        for p in at._registered_pages.values()
    ]


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


def sidebar_text(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.sidebar.caption, *at.sidebar.info])


def test_nobody_signed_in_sees_only_the_sign_in_page(db):
    at = app({"is_logged_in": False})
    assert registered(at) == ["fn:Sign in"]  # a function in app.py
    assert [b.key for b in at.button] == ["sign_in"]
    assert not at.metric  # no dashboard content
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/overview.py")


def test_a_viewer_has_the_dashboards_but_not_upload_or_settings(db):
    at = app(signed_in("friend@partner.org"))
    assert registered(at) == DASHBOARDS
    assert "friend@partner.org" in sidebar_text(at) and "viewer" in sidebar_text(at)
    assert at.button(key="sign_out")
    assert at.metric  # the Overview renders
    for page in ("pages/upload.py", "pages/settings.py", "pages/reports.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_an_analyst_gets_upload_and_an_admin_settings(db):
    assert registered(app(signed_in("agent@example.com"))) == [*DASHBOARDS, "reports", "upload"]
    at = app(signed_in("ops.lead@example.com"))
    assert registered(at) == [*DASHBOARDS, "reports", "upload", "settings"]
    at.switch_page("pages/settings.py").run()
    assert not at.exception and at.title[0].value == "Settings"


def test_an_unverified_email_does_not_count_for_the_role(db):
    assert registered(app(signed_in("ops.lead@example.com", email_verified=False))) == DASHBOARDS


def test_sign_out_returns_to_the_sign_in_page(db):
    at = app(signed_in("friend@partner.org")).run()  # AppTest drops a click in the run right after the first
    at.button(key="sign_out").click().run()
    assert at.user == {"is_logged_in": False}
    at.run()  # a browser reloads after the provider's sign-out
    assert registered(at) == ["fn:Sign in"] and at.button(key="sign_in")


def test_the_wall_token_shows_only_the_stand_up_without_sign_in(db):
    at = app({"is_logged_in": False}, wall="tv-token-123", as_of="2026-03-02T23:00:00Z")
    assert registered(at) == ["fn:Stand-up", "standup"]  # a redirect to the stand-up, and the stand-up
    shown = "\n".join(m.value for m in at.markdown)
    assert 'data-tile="contacts"' in shown  # the stand-up tiles, not the sign-in page
    assert '[data-testid="stSidebar"]' in shown and "display: none" in shown  # kiosk without ?kiosk=1
    assert not at.button  # no sign-in, no sign-out
    assert at.query_params["wall"] == "tv-token-123"  # kept for a reconnect
    for page in ("pages/overview.py", "pages/upload.py", "pages/settings.py", "pages/coverage.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_a_wrong_wall_token_gets_the_sign_in_page(db):
    at = app({"is_logged_in": False}, wall="guess")
    assert registered(at) == ["fn:Sign in"] and not at.metric
    assert "not valid" in at.error[0].value


def test_open_mode_has_every_page_and_says_so(db):
    at = app(secrets=None)
    assert registered(at) == [*DASHBOARDS, "reports", "upload", "settings"]
    assert "Open mode: no sign-in configured, listening on localhost only" in sidebar_text(at)


def unreachable(at: AppTest) -> list:
    at.switch_page("pages/coverage.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="phase").set_value("day_one").run()
    frame = next(d.value for d in at.dataframe if "last_status" in d.value.columns)
    return frame[["customer_email", "customer_phone"]].fillna("").values.tolist()


def test_admins_see_customer_emails_and_phones_viewers_see_them_masked(db):
    assert unreachable(app(signed_in("ops.lead@example.com"))) == [["frank@x.com", ""], ["", "+13125550101"]]
    masked = [["f***@x.com", ""], ["", "+*******0101"]]
    assert unreachable(app(signed_in("agent@example.com"))) == masked
    assert unreachable(app(signed_in("friend@partner.org"))) == masked
    assert unreachable(app(secrets=None)) == masked  # open mode: nobody is known to be an admin
