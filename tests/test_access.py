"""Sign-in roles (ui/access.py): the pure mapping, and what app.py registers for each role (AppTest
seeds ``st.user`` and ``st.secrets``). The real OIDC round trip is in tests/browser/test_signin.py."""

from __future__ import annotations

import pytest
from conftest import ROOT, plain
from streamlit.testing.v1 import AppTest

from ui import access, tabs

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
DASHBOARDS = ["overview", "standup", "channels", "quality", "coverage", "alerts"]
ANALYST_PAGES = [*DASHBOARDS, "reports", "upload"]
ADMIN_PAGES = [*ANALYST_PAGES, "settings"]


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
    assert access.pages_for("analyst") == ANALYST_PAGES
    assert access.pages_for("admin") == ADMIN_PAGES
    assert access.pages_for("open") == ADMIN_PAGES
    assert access.pages_for("wall") == ["standup"]
    assert access.pages_for(None) == [] and access.pages_for("root") == []
    assert [r for r in ("viewer", "analyst", "admin", "wall", "open", None) if access.shows_pii(r)] == ["admin"]
    roles = ("viewer", "analyst", "admin", "wall", "open", None)
    assert [r for r in roles if access.edits_alerts(r)] == ["analyst", "admin", "open"]


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
    """``st.user`` of a signed-in user whose provider verified the email (unless ``claims`` say otherwise)."""
    return {"is_logged_in": True, "email": email, "email_verified": True, **claims}


def sidebar_text(at: AppTest) -> str:
    return plain(" ".join(e.value for e in [*at.sidebar.caption, *at.sidebar.info]))


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
    assert registered(app(signed_in("agent@example.com"))) == ANALYST_PAGES
    at = app(signed_in("ops.lead@example.com"))
    assert registered(at) == ADMIN_PAGES
    at.switch_page("pages/settings.py").run()
    assert not at.exception and at.title[0].value == "Settings"


def test_an_unverified_email_does_not_count_for_the_role(db):
    """Issue 13 item 8: only an email the provider marks verified decides a role; absent is not verified."""
    assert registered(app(signed_in("ops.lead@example.com", email_verified=False))) == DASHBOARDS
    assert registered(app({"is_logged_in": True, "email": "ops.lead@example.com"})) == DASHBOARDS
    assert registered(app(signed_in("ops.lead@example.com", email_verified="true"))) == ADMIN_PAGES
    # groups and the subject still map an account whose email is not verified
    unverified = {"is_logged_in": True, "email": "x@y.z", "groups": ["recall-admins"]}
    assert registered(app(unverified)) == ADMIN_PAGES
    secrets = {**SECRETS, "recall_ops": {"roles": {"analysts": ["sub:00u42"]}}}
    assert registered(app({"is_logged_in": True, "sub": "00u42"}, secrets=secrets)) == ANALYST_PAGES


def test_verified_email_and_subject_entries():
    assert access.verified_email({"email": "a@b.c", "email_verified": True}) == "a@b.c"
    assert access.verified_email({"email": "a@b.c", "email_verified": "TRUE"}) == "a@b.c"
    for claims in ({"email": "a@b.c"}, {"email": "a@b.c", "email_verified": False}, {"email_verified": True}):
        assert access.verified_email(claims) is None
    config = {"roles": {"admins": ["sub:abc"]}}
    assert access.role_for(None, [], config, subject="abc") == "admin"
    assert access.role_for(None, [], config, subject="abcd") == "viewer"


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
    assert 'data-tile="contacts_today"' in shown  # the stand-up tiles, not the sign-in page
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
    assert registered(at) == ADMIN_PAGES
    assert "Open mode: no sign-in configured, listening on localhost only" in sidebar_text(at)


def unreachable(at: AppTest) -> list:
    at.switch_page("pages/coverage.py").run()
    assert not at.exception, at.exception
    at.session_state[tabs.key("coverage")] = "Unreachable customers"
    at.selectbox(key="phase").set_value("day_one").run()
    frame = next(d.value for d in at.dataframe if "last_status" in d.value.columns)
    return frame[["customer_email", "customer_phone"]].fillna("").values.tolist()


def test_admins_see_customer_emails_and_phones_viewers_see_them_masked(db):
    assert unreachable(app(signed_in("ops.lead@example.com"))) == [["frank@x.com", ""], ["", "+13125550101"]]
    masked = [["f***@x.com", ""], ["", "+*******0101"]]
    assert unreachable(app(signed_in("agent@example.com"))) == masked
    assert unreachable(app(signed_in("friend@partner.org"))) == masked
    assert unreachable(app(secrets=None)) == masked  # open mode: nobody is known to be an admin


def test_loopback_host_headers():
    """Open mode answers only to these names (DNS rebinding: issue 13 item 5)."""
    local = ["localhost", "localhost:8501", "127.0.0.1:8501", "[::1]:8501", "LOCALHOST.", "http://localhost:8501"]
    foreign = [None, "", "rebind.example", "rebind.example:8501", "localhost.evil.com", "127.0.0.1.nip.io", "0.0.0.0"]
    assert all(access.host_is_loopback(h) for h in local)
    assert not any(access.host_is_loopback(h) for h in foreign)
    assert access.local_request({"Host": "localhost:8501", "Origin": "http://localhost:8501"})
    assert not access.local_request({"Host": "localhost:8501", "Origin": "http://evil.example"})
    assert not access.local_request({"host": "rebind.example:8501"})


# --- recall definitions are the admins' (issue 13 item 6) --------------------------------------

REDEFINED = b'[recall]\nid = "R1"\nname = "Hijacked"\ntimezone = "UTC"\nannounced_at = "2020-01-01T00:00:00Z"\n'


def upload_as(user: dict | None, files: list[tuple[str, bytes]]) -> AppTest:
    import streamlit as st

    st.cache_data.clear()  # cached reads are keyed on the ledger version, which another test's store may share
    at = app(user, secrets=SECRETS if user else None)
    at.session_state["upload_seed"] = files
    at.switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    return at


def recall_rows(db) -> list[tuple]:
    from store.db import connect

    con = connect(db)
    try:
        return con.execute("SELECT recall_id, name, announced_at FROM recalls").fetchall()
    finally:
        con.close()


def test_an_analyst_cannot_load_or_undo_a_recall_definition(db):
    import io
    import zipfile

    before = recall_rows(db)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("r.toml", REDEFINED)
        z.writestr(
            "calls.csv",
            "source,source_id,recall_id,channel,direction,created_at\nfive9,z1,R1,phone,inbound,2026-03-03T10:00:00Z\n",
        )
    at = upload_as(signed_in("agent@example.com"), [("redefine.toml", REDEFINED), ("bundle.zip", buf.getvalue())])
    refused = [plain(e.value) for e in at.error if "only admins may load or change recalls" in plain(e.value)]
    assert sorted(r.split(":")[0] for r in refused) == ["bundle.zip/r.toml", "redefine.toml"]
    at.button(key="upload_load").click().run()
    assert not at.exception, at.exception
    assert recall_rows(db) == before  # every number would have changed
    loaded = next(d.value for d in at.dataframe if {"file", "inserted"} <= set(d.value.columns))
    assert loaded["file"].tolist() == ["bundle.zip/calls.csv"]
    offered = " ".join(at.selectbox(key="undo_pick").options)
    assert "recall.toml" not in offered and "calls.csv" in offered
    assert any("Loads of recall definitions are undone by an admin." in c.value for c in at.caption)


def test_an_admin_may_load_and_undo_a_recall_definition(db):
    at = upload_as(signed_in("ops.lead@example.com"), [("redefine.toml", REDEFINED)])
    assert not [e.value for e in at.error if "only admins" in e.value]
    at.button(key="upload_load").click().run()
    assert recall_rows(db)[0][1] == "Hijacked"
    offered = " ".join(at.selectbox(key="undo_pick").options)
    assert "recall.toml" in offered and "redefine.toml" in offered


def test_a_rotated_wall_token_ends_the_old_wall_sessions(db):
    """Issue 13 item 7: the session keeps a digest of the token it showed, compared on every run."""
    at = app({"is_logged_in": False}, wall="tv-token-123", as_of="2026-03-02T23:00:00Z")
    assert registered(at) == ["fn:Stand-up", "standup"]
    assert at.session_state[access.WALL_KEY] != "tv-token-123"  # a digest, not the token
    at.query_params.pop("wall")  # the session no longer needs the URL's token…
    at.run()
    assert registered(at) == ["fn:Stand-up", "standup"]
    at.secrets = {**SECRETS, "recall_ops": {**CONFIG, "wall_token": "rotated-token"}}
    at.run()  # …until the token is rotated
    assert registered(at) == ["fn:Sign in"] and not at.metric
    at.query_params["wall"] = "rotated-token"
    at.run()
    assert registered(at) == ["fn:Stand-up", "standup"]


def test_settings_recall_edits_uploads_and_mappings_are_attributed_to_the_signed_in_user(db):
    """Issue 13 item 13: every change records who made it (the settings table's updated_by, the
    ledger's loaded_by, a mapping's updated_by), never blank or the server's OS user."""
    import streamlit as st

    from store.db import connect

    st.cache_data.clear()
    admin = "ops.lead@example.com"
    at = app(signed_in(admin))
    at.switch_page("pages/settings.py").run()
    at.button(key="settings_targets_save").click().run()
    at.button(key="settings_stale_save").click().run()
    at.text_input(key="recall_R1_name").input("Car seat (edited)")
    at.button(key="recall_R1_save").click().run()
    assert not at.exception, at.exception
    at = upload_as(signed_in("agent@example.com"), [("legacy.csv", b"Ticket,Opened\nT1,2026-03-03 10:00\n")])
    at.selectbox(key="upload_map_0_contacts_source_id").set_value("Ticket")
    at.selectbox(key="upload_map_0_contacts_created_at").set_value("Opened")
    at.text_input(key="upload_map_source_0").input("legacy")
    at.selectbox(key="upload_map_channel_0").set_value("phone")
    at.selectbox(key="upload_map_direction_0").set_value("inbound")
    at.run()
    assert not [w.value for w in at.warning if "Mapping incomplete" in w.value], [w.value for w in at.warning]
    at.text_input(key="upload_map_name_0").input("legacy").run()
    at.button(key="upload_map_save_0").click().run()
    assert not at.exception, at.exception
    con = connect(db)
    try:
        assert con.execute("SELECT key, updated_by FROM settings ORDER BY key").fetchall() == [
            ("refresh_s", admin),
            ("stale_hours", admin),
            ("targets", admin),
        ]
        edit = con.execute("SELECT loaded_by FROM ingests WHERE file_name LIKE 'settings/%'").fetchall()
        assert edit == [(admin,)]
        assert con.execute("SELECT updated_by FROM mappings").fetchall() == [("agent@example.com",)]
    finally:
        con.close()


def test_a_sign_in_older_than_the_maximum_session_age_must_sign_in_again(db):
    """Issue 13 item 21: Streamlit's cookie lives 30 days; the app counts a sign-in for
    max_session_hours (12 by default) after the ID token was issued (its ``iat``)."""
    import time

    fresh = app(signed_in("ops.lead@example.com", iat=time.time() - 3600))
    assert registered(fresh) == ADMIN_PAGES
    stale = app(signed_in("ops.lead@example.com", iat=time.time() - 13 * 3600))
    assert registered(stale) == ["fn:Sign in"] and not stale.metric
    assert any("older than 12 hours" in plain(i.value) for i in stale.info)
    longer = {**SECRETS, "recall_ops": {**CONFIG, "max_session_hours": 24}}
    assert (
        registered(app(signed_in("ops.lead@example.com", iat=time.time() - 13 * 3600), secrets=longer)) == ADMIN_PAGES
    )
    assert access.session_too_old(0, 12, 12 * 3600 + 1) and not access.session_too_old(None, 12, 1e10)
