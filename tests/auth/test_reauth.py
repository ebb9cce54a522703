"""Re-authentication before sensitive account changes, and the admin reset of a second factor."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from forum.auth import totp
from forum.auth.models import Role
from forum.auth.passwords import verify_password
from forum.db_types import utcnow
from forum.extensions import db
from tests.auth.helpers import audit_actions
from tests.auth.helpers import audit_rows
from tests.auth.helpers import change_password
from tests.auth.helpers import cookie_value
from tests.auth.helpers import copy_cookie
from tests.auth.helpers import is_signed_in
from tests.auth.helpers import link_path
from tests.auth.helpers import live_sessions_of
from tests.auth.helpers import log_in
from tests.auth.helpers import logged_in_client
from tests.auth.helpers import mail_text
from tests.auth.helpers import sessions_of
from tests.factories import make_user
from tests.factories import totp_code

SENSITIVE_PAGES = [
    "/account/password",
    "/account/email",
    "/account/two-factor",
    "/account/recovery-codes",
]
NEW_PASSWORD = "harbour willow saffron engine"


def set_reauthenticated(user, minutes_ago: float) -> None:
    [record] = live_sessions_of(user)
    record.reauthenticated_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()


@pytest.fixture
def stale(client, member):
    """The default client, signed in as ``member`` 11 minutes after the last password entry."""
    assert log_in(client, member).status_code == 302
    set_reauthenticated(member, 11)
    return client


def reauthenticate(client, user, path: str, code: str | None = None, password: str | None = None):
    return client.post(
        f"/auth/reauthenticate?next={path}",
        data={
            "password": user.test_password if password is None else password,
            "code": code or totp_code(user),
        },
    )


@pytest.mark.parametrize("path", SENSITIVE_PAGES)
def test_sensitive_page_asks_for_password_and_code_again(stale, member, path):
    response = stale.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/reauthenticate"
    assert parse_qs(location.query) == {"next": [path]}
    page = stale.get(response.headers["Location"])
    assert page.status_code == 200
    assert 'name="password"' in page.text and 'name="code"' in page.text

    confirmed = reauthenticate(stale, member, path)
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == path
    assert stale.get(path).status_code == 200
    assert "reauth.success" in audit_actions()


@pytest.mark.parametrize("path", SENSITIVE_PAGES)
def test_recent_login_needs_no_second_confirmation(stale, member, path):
    set_reauthenticated(member, 9)
    assert stale.get(path).status_code == 200


def test_after_reauthentication_the_password_can_be_changed(stale, member):
    reauthenticate(stale, member, "/account/password")
    response = change_password(stale, member, NEW_PASSWORD)
    assert response.status_code == 302
    db.session.refresh(member)
    assert verify_password(member.password_hash, NEW_PASSWORD)
    assert "password.changed" in audit_actions()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (
            "/account/password",
            {
                "current_password": "correct horse battery staple",
                "password": NEW_PASSWORD,
                "confirmation": NEW_PASSWORD,
            },
        ),
        ("/account/email", {"email": "taken-over@example.org"}),
        ("/account/recovery-codes", {}),
    ],
)
def test_stale_post_changes_nothing(stale, member, path, data):
    before = (member.password_hash, member.email, totp.remaining_recovery_codes(member))
    response = stale.post(path, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/reauthenticate")
    db.session.refresh(member)
    assert (member.password_hash, member.email, totp.remaining_recovery_codes(member)) == before
    assert not {"password.changed", "email.changed", "recovery_codes.regenerated"} & set(
        audit_actions()
    )


def test_wrong_password_or_code_does_not_reauthenticate(stale, member):
    wrong_password = reauthenticate(stale, member, "/account/email", password="not it at all")
    assert wrong_password.status_code == 400
    wrong_code = reauthenticate(stale, member, "/account/email", code="000000")
    assert wrong_code.status_code == 400
    assert "The password or authentication code is not correct." in wrong_code.text
    assert stale.get("/account/email").status_code == 302
    assert audit_actions().count("reauth.failure") == 2


def test_reauthentication_is_throttled(stale, member):
    for _ in range(5):
        assert reauthenticate(stale, member, "/account/email", code="000000").status_code == 400
    locked = reauthenticate(stale, member, "/account/email")
    assert locked.status_code == 429
    assert stale.get("/account/email").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_reauthentication_never_redirects_off_site(stale, member, target):
    response = reauthenticate(stale, member, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/security"


def test_email_change_waits_for_the_new_address_to_confirm(stale, member, outbox):
    reauthenticate(stale, member, "/account/email")
    response = stale.post("/account/email", data={"email": "Marie.New@Example.org"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.email == "member@example.org"
    assert member.pending_email == "marie.new@example.org"
    confirm, notice = sorted(outbox, key=lambda message: message["To"])
    assert (confirm["To"], notice["To"]) == ("marie.new@example.org", "member@example.org")
    assert "/account/email/confirm/" not in mail_text(notice)

    path = link_path(confirm, "/account/email/confirm/")
    assert stale.get(path).status_code == 200
    db.session.refresh(member)
    assert member.email == "member@example.org", "GET must not change anything"
    assert stale.post(path).status_code == 302
    db.session.refresh(member)
    assert member.email == "marie.new@example.org" and member.pending_email is None
    [event] = audit_rows("email.changed")
    assert event.details_dict == {"old": "member@example.org", "new": "marie.new@example.org"}
    assert outbox[-1]["To"] == "member@example.org"
    assert stale.post(path).status_code == 404, "the link works once"


def test_email_change_link_expires_and_belongs_to_its_account(app, stale, member, outbox):
    reauthenticate(stale, member, "/account/email")
    stale.post("/account/email", data={"email": "marie.new@example.org"})
    path = link_path(outbox[0], "/account/email/confirm/")
    other = logged_in_client(app, make_user())
    assert other.get(path).status_code == 404
    assert other.post(path).status_code == 404
    db.session.refresh(member)
    member.email_change_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert stale.post(path).status_code == 404
    db.session.refresh(member)
    assert member.email == "member@example.org"


def test_email_change_to_a_taken_address_is_refused(stale, member, outbox):
    make_user(email="taken@example.org")
    reauthenticate(stale, member, "/account/email")
    response = stale.post("/account/email", data={"email": "taken@example.org"})
    assert response.status_code == 400
    assert "already belongs" in response.text
    assert outbox == []


# --- admin reset of a second factor ---------------------------------------------------------

REASON = "Phone lost; identity confirmed by a call to the central authority"


def test_admin_resets_a_second_factor(app, member, admin_user, outbox):
    totp.new_recovery_codes(member)
    db.session.commit()
    admin = logged_in_client(app, admin_user)
    assert "Reset second factor" in admin.get(f"/admin/users/{member.id}").text
    response = admin.post(f"/admin/users/{member.id}", data={"reason": f"  {REASON} "})
    assert response.status_code == 302

    db.session.refresh(member)
    assert not member.has_totp and member.totp_secret_encrypted is None
    assert totp.remaining_recovery_codes(member) == 0
    [event] = audit_rows("2fa.reset_by_admin")
    assert (event.actor_id, event.target_id) == (admin_user.id, str(member.id))
    assert event.details_dict == {"reason": REASON}
    assert [message["To"] for message in outbox] == [member.email]

    # At the next login the person must enrol again before anything else.
    browser = app.test_client()
    answer = browser.post(
        "/auth/login", data={"email": member.email, "password": member.test_password}
    )
    assert answer.headers["Location"] == "/auth/enrol"
    assert browser.get("/").headers["Location"] == "/auth/enrol"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.MEMBER, Role.FOCAL_POINT])
def test_only_admins_may_reset_a_second_factor(app, member, role):
    other = logged_in_client(app, make_user(role=role, state_code="DE"))
    response = other.post(f"/admin/users/{member.id}", data={"reason": REASON})
    assert response.status_code == 403
    db.session.refresh(member)
    assert member.has_totp
    assert "2fa.reset_by_admin" not in audit_actions()


@pytest.mark.parametrize("reason", ["", "   "])
def test_admin_reset_requires_a_reason(app, member, admin_user, reason):
    browser = logged_in_client(app, member)
    admin = logged_in_client(app, admin_user)
    response = admin.post(f"/admin/users/{member.id}", data={"reason": reason})
    assert response.status_code == 400
    db.session.refresh(member)
    assert member.has_totp
    assert is_signed_in(browser)
    assert "2fa.reset_by_admin" not in audit_actions()


def test_admin_reset_needs_a_fresh_reauthentication_and_keeps_the_reason(app, member, admin_user):
    admin = logged_in_client(app, admin_user)
    records = live_sessions_of(admin_user)
    for record in records:
        record.reauthenticated_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    response = admin.post(f"/admin/users/{member.id}", data={"reason": REASON})
    assert response.status_code == 403
    assert REASON in response.text, "the reason typed is kept"
    assert "/auth/reauthenticate" in response.text
    db.session.refresh(member)
    assert member.has_totp
    assert audit_rows("2fa.reset_by_admin") == []


def test_reauthentication_issues_a_new_session_token(app, stale, member):
    """ASVS 7.2.4: the token seen before re-authenticating is worthless after it."""
    before = app.test_client()
    copy_cookie(stale, before)
    assert reauthenticate(stale, member, "/account/password").status_code == 302
    assert cookie_value(stale) != cookie_value(before)
    assert is_signed_in(stale)
    assert not is_signed_in(before)
    assert [record.revoked_reason for record in sessions_of(member)] == ["reauthenticated", None]
