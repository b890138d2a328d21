"""Sign-in end to end: a real `streamlit run` server configured with a real OpenID Connect provider
(oidc-provider-mock, started here on localhost), driven through the provider's login form."""

from __future__ import annotations

import re

import pytest
from harness import Server, free_port, wait_for_app

from ui.navigation import BY_NAME

WALL_DRAWN = BY_NAME["standup"].ready  # what says the stand-up has drawn its tiles

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

ADMIN, VIEWER = "ops.lead@example.com", "friend@partner.org"


@pytest.fixture(scope="module")
def provider():
    with oidc_provider_mock.run_server_in_thread(port=free_port()) as srv:
        yield f"http://localhost:{srv.server_port}"


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory, provider):
    tmp = tmp_path_factory.mktemp("signin")
    secrets = tmp / "secrets.toml"
    srv = Server(tmp / "app.duckdb", tmp / "streamlit.log", secrets=secrets, sample=True)
    secrets.write_text(
        f"""
[auth]
redirect_uri = "{srv.url}/oauth2callback"
cookie_secret = "browser-test-cookie-secret"
client_id = "recall-ops"
client_secret = "recall-ops-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[recall_ops]
wall_token = "tv-token"

[recall_ops.roles]
admins = ["{ADMIN}"]
analysts = ["@example.com"]
"""
    )
    srv.start()
    yield srv
    srv.stop()


def register(provider: str, sub: str, **claims) -> None:
    """Give the provider's user ``sub`` these claims (oidc-provider-mock's PUT /users/{sub})."""
    import json
    import urllib.request

    body = json.dumps(claims).encode()
    req = urllib.request.Request(f"{provider}/users/{sub}", body, {"Content-Type": "application/json"}, method="PUT")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 204


def sign_in(page, server, email: str) -> None:
    """From the app's sign-in page through the provider's form back to the app."""
    page.goto(server.url)
    wait_for_app(page, ".st-key-sign_in button")
    page.locator(".st-key-sign_in button").click()
    page.wait_for_selector("input[name='sub']", timeout=30_000)  # the provider's login form
    page.fill("input[name='sub']", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(server.url)), timeout=30_000)
    wait_for_app(page, "[data-testid='stSidebarNav']")


def sidebar(page) -> str:
    return page.inner_text("[data-testid='stSidebar']")


def test_viewer_then_admin_through_a_real_identity_provider(signin_server, provider, browser, tmp_path):
    for user in (VIEWER, ADMIN):
        register(provider, user, email=user, email_verified=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        # Nobody signed in: only the sign-in page, even for a typed page URL.
        page.goto(f"{signin_server.url}/coverage")
        wait_for_app(page, ".st-key-sign_in button")
        assert "Unreachable customers" not in page.inner_text("body")

        sign_in(page, signin_server, VIEWER)
        text = sidebar(page)
        assert VIEWER in text and "viewer" in text
        nav = page.inner_text("[data-testid='stSidebarNav']")
        assert "Overview" in nav and "Coverage" in nav and "Upload" not in nav and "Settings" not in nav
        page.wait_for_selector("[data-testid='stMetric']")  # the Overview's tiles

        for path, marker in (("upload", "Upload exports"), ("settings", "Targets (red / amber / green)")):
            page.goto(f"{signin_server.url}/{path}")
            wait_for_app(page, "[data-testid='stSidebarNav']")
            assert "Page not found" in page.inner_text("body")  # Streamlit's own notice, then the default page
            assert marker not in page.inner_text("body")
            page.screenshot(path=tmp_path / f"viewer_{path}.png")

        page.goto(signin_server.url)  # away from the "Page not found" dialog
        wait_for_app(page, ".st-key-sign_out button")
        page.locator(".st-key-sign_out button").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)  # the provider's sign-out
        wait_for_app(page, ".st-key-sign_in button")
        assert VIEWER not in page.inner_text("body")

        sign_in(page, signin_server, ADMIN)
        assert "admin" in sidebar(page)
        page.goto(f"{signin_server.url}/settings")
        wait_for_app(page, "text=Targets (red / amber / green)")
        assert "Page not found" not in page.inner_text("body")
    finally:
        context.close()


def test_wall_token_shows_the_stand_up_without_sign_in(signin_server, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{signin_server.url}/standup?wall=tv-token")
        wait_for_app(page, "[data-tile='contacts_today']")
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert page.locator(".st-key-sign_in").count() == 0
        page.goto(f"{signin_server.url}/settings?wall=tv-token")  # any other page: the stand-up again
        wait_for_app(page, "[data-tile='contacts_today']")
        assert "Targets (red / amber / green)" not in page.inner_text("body")
    finally:
        context.close()


def test_a_rotated_wall_token_ends_an_open_wall_screen(signin_server, browser):
    """Issue 13 item 7: a TV showing the stand-up with the old token is refused within a refresh
    or two of the token being changed in secrets.toml (no restart, no reload by hand)."""
    original = signin_server.secrets.read_text()
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{signin_server.url}/standup?wall=tv-token&refresh=5")
        wait_for_app(page, WALL_DRAWN)
        signin_server.secrets.write_text(original.replace('"tv-token"', '"rotated-tv-token"'))
        page.wait_for_selector("text=This wall-screen link's token is not valid", timeout=60_000)
        assert page.locator(WALL_DRAWN).count() == 0
        page.goto(f"{signin_server.url}/standup?wall=rotated-tv-token")
        wait_for_app(page, WALL_DRAWN)
    finally:
        signin_server.secrets.write_text(original)
        context.close()


def test_an_unverified_email_does_not_make_an_admin(signin_server, provider, browser):
    """Issue 13 item 8: the provider does not say the admin's address is verified (anyone can type
    it into a profile; the mock sends no ``email_verified``): the session is a viewer, without
    Upload or Settings."""
    impostor = "impostor-sub-1"
    register(provider, impostor, email=ADMIN)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        sign_in(page, signin_server, impostor)
        text = sidebar(page)
        assert "viewer" in text and "admin" not in text.replace(ADMIN, "")
        nav = page.inner_text("[data-testid='stSidebarNav']")
        assert "Upload" not in nav and "Settings" not in nav
    finally:
        context.close()


def test_sign_out_revokes_the_sessions_upload_link(signin_server, provider, browser, tmp_path):
    """Issue 13 item 12: an analyst's upload link, replayed with the cookies it had, is refused once
    they have signed out."""
    from test_hardening import put, upload_link

    analyst = "agent@example.com"
    register(provider, analyst, email=analyst, email_verified=True)
    csv = tmp_path / "calls.csv"
    csv.write_text("a,b\n1,2\n")
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        sign_in(page, signin_server, analyst)
        link = upload_link(page, signin_server.url, csv)
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert "_streamlit_user" in cookies and put(link, b"a,b\n", cookies)[0] == 200
        page.locator(".st-key-sign_out button").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)
        wait_for_app(page, ".st-key-sign_in button")
        status, text = put(link, b"a,b\n", cookies)  # the old cookies, replayed
        assert status == 403 and "signed out" in text
    finally:
        context.close()


def test_a_cookie_replayed_after_sign_out_does_not_sign_in(signin_server, provider, browser):
    """Issue 13 item 21: the sign-in cookie copied before sign-out and put back afterwards (another
    browser, or the same one) gets the sign-in page, not the dashboards."""
    register(provider, ADMIN, email=ADMIN, email_verified=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        sign_in(page, signin_server, ADMIN)
        stolen = [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
        assert stolen
        page.locator(".st-key-sign_out button").click()
        page.get_by_role("button", name="End session").click(timeout=30_000)
        wait_for_app(page, ".st-key-sign_in button")
    finally:
        context.close()
    replay = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        replay.add_cookies(stolen)
        page = replay.new_page()
        page.goto(f"{signin_server.url}/settings")
        wait_for_app(page, ".st-key-sign_in button")
        assert "This sign-in was signed out. Sign in again." in page.inner_text("body")
        assert "Targets (red / amber / green)" not in page.inner_text("body") and ADMIN not in page.inner_text("body")
    finally:
        replay.close()
