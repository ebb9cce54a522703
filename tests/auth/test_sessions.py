"""Server-side sessions: listing and revoking, logout, rotation, timeouts, forced ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.auth.models import Status
from forum.db_types import utcnow
from forum.extensions import db
from forum.security.crypto import token_hash
from tests.auth.helpers import audit_rows
from tests.auth.helpers import change_password
from tests.auth.helpers import cookie_value
from tests.auth.helpers import copy_cookie
from tests.auth.helpers import is_signed_in
from tests.auth.helpers import live_sessions_of
from tests.auth.helpers import log_in
from tests.auth.helpers import logged_in_client
from tests.auth.helpers import sessions_of
from tests.factories import make_user
from tests.factories import totp_code

LAPTOP = {"HTTP_USER_AGENT": "LaptopBrowser/1.0", "REMOTE_ADDR": "198.51.100.7"}
PHONE = {"HTTP_USER_AGENT": "PhoneBrowser/2.0", "REMOTE_ADDR": "203.0.113.9"}
NEW_PASSWORD = "quartz meadow lighthouse ferry"


def test_security_page_lists_active_sessions(app, member):
    laptop = logged_in_client(app, member, **LAPTOP)
    logged_in_client(app, member, **PHONE)
    ended = logged_in_client(app, member)
    ended.post("/auth/logout")
    logged_in_client(app, make_user(), HTTP_USER_AGENT="SomeoneElse/9.9")

    page = laptop.get("/account/security")
    assert page.status_code == 200
    for details in (LAPTOP, PHONE):
        assert details["HTTP_USER_AGENT"] in page.text
        assert details["REMOTE_ADDR"] in page.text
    assert "SomeoneElse" not in page.text
    live = live_sessions_of(member)
    assert len(live) == 2
    assert page.text.count("data-session-id=") == 2
    with app.test_request_context():
        shown = app.jinja_env.filters["datetime"]
        for record in live:
            assert f'data-session-id="{record.id}"' in page.text
            assert shown(record.created_at) in page.text
            assert shown(record.last_seen_at) in page.text


def test_revoking_another_session_sends_it_to_login(app, member):
    laptop = logged_in_client(app, member, **LAPTOP)
    phone = logged_in_client(app, member, **PHONE)
    phone_record = live_sessions_of(member)[-1]
    assert phone_record.user_agent == PHONE["HTTP_USER_AGENT"]

    response = laptop.post(f"/account/sessions/{phone_record.id}/revoke")
    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    [event] = audit_rows("session.revoked")
    assert event.details_dict == {"session_id": phone_record.id}


def test_a_session_of_someone_else_cannot_be_revoked(app, member):
    intruder = logged_in_client(app, make_user())
    victim = logged_in_client(app, member)
    [victim_record] = live_sessions_of(member)
    response = intruder.post(f"/account/sessions/{victim_record.id}/revoke")
    assert response.status_code == 404
    assert is_signed_in(victim)
    assert audit_rows("session.revoked") == []


def test_the_current_session_is_ended_by_logging_out_not_revoking(app, member):
    laptop = logged_in_client(app, member)
    [record] = live_sessions_of(member)
    laptop.post(f"/account/sessions/{record.id}/revoke")
    assert is_signed_in(laptop)
    assert live_sessions_of(member) == [record]


def test_end_all_other_sessions(app, member):
    laptop = logged_in_client(app, member, **LAPTOP)
    others = [logged_in_client(app, member, **PHONE), logged_in_client(app, member)]
    assert "End all other sessions" in laptop.get("/account/security").text

    assert laptop.post("/account/sessions/revoke-others").status_code == 302
    assert is_signed_in(laptop)
    assert [is_signed_in(browser) for browser in others] == [False, False]
    assert len(live_sessions_of(member)) == 1
    [event] = audit_rows("session.revoked_others")
    assert event.details_dict == {"count": 2}


def test_logout_ends_the_session_on_the_server(app, client, member):
    assert log_in(client, member).status_code == 302
    replay = app.test_client()
    copy_cookie(client, replay)
    assert is_signed_in(replay)

    assert client.post("/auth/logout").status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(replay)
    [record] = sessions_of(member)
    assert record.revoked_reason == "logout"


def test_every_login_gets_a_new_session_token(app, client, member):
    client.post("/auth/login", data={"email": member.email, "password": member.test_password})
    before_login = cookie_value(client)
    planted = app.test_client()
    copy_cookie(client, planted)
    client.post("/auth/login/code", data={"code": totp_code(member)})
    first = cookie_value(client)
    assert first and first != before_login
    # A cookie from before the login (e.g. planted by an attacker) gains nothing from it.
    assert not is_signed_in(planted)

    client.post("/auth/logout")
    assert log_in(client, member).status_code == 302
    second = cookie_value(client)
    assert second not in (first, before_login)
    first_record, second_record = sessions_of(member)
    assert first_record.token_hash != second_record.token_hash
    # The cookie carries only an opaque token; the server stores its hash, never the token.
    stored = app.session_interface.get_signing_serializer(app).loads(second)
    assert set(stored) <= {"sid", "_permanent", "_flashes"}
    assert token_hash(stored["sid"]) == second_record.token_hash
    assert stored["sid"] != second_record.token_hash


def _age(member, **changes) -> None:
    [record] = live_sessions_of(member)
    for name, value in changes.items():
        setattr(record, name, value)
    db.session.commit()


def test_idle_session_is_refused(client, member):
    log_in(client, member)
    _age(member, last_seen_at=utcnow() - timedelta(minutes=31))
    assert not is_signed_in(client)
    [record] = sessions_of(member)
    assert record.revoked_reason == "idle"


def test_idle_timeout_is_configurable(app, app_factory, member):
    patient = app_factory(SESSION_IDLE_TIMEOUT=timedelta(hours=1))
    browser = logged_in_client(patient, member)
    _age(member, last_seen_at=utcnow() - timedelta(minutes=31))
    assert is_signed_in(browser)
    _age(member, last_seen_at=utcnow() - timedelta(minutes=61))
    assert not is_signed_in(browser)


def test_session_past_its_absolute_lifetime_is_refused_even_when_busy(client, member):
    log_in(client, member)
    _age(member, expires_at=utcnow() - timedelta(seconds=1), last_seen_at=utcnow())
    assert not is_signed_in(client)
    [record] = sessions_of(member)
    assert record.revoked_reason == "expired"


@pytest.mark.parametrize("lifetime", [timedelta(minutes=5), timedelta(hours=2)])
def test_absolute_lifetime_is_configurable(app, app_factory, member, lifetime):
    short = app_factory(SESSION_ABSOLUTE_LIFETIME=lifetime)
    logged_in_client(short, member)
    [record] = live_sessions_of(member)
    assert record.expires_at - record.created_at == lifetime


def test_password_change_ends_other_sessions_and_keeps_this_one(app, member, outbox):
    laptop = logged_in_client(app, member, **LAPTOP)
    phone = logged_in_client(app, member, **PHONE)
    assert laptop.get("/account/password").status_code == 200
    response = change_password(laptop, member, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/security"
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert [record.user_agent for record in live_sessions_of(member)] == ["LaptopBrowser/1.0"]
    [event] = audit_rows("password.changed")
    assert event.details_dict == {"sessions_ended": 1}
    assert [message["To"] for message in outbox] == [member.email]


def test_suspension_ends_access_at_the_next_request(client, member):
    log_in(client, member)
    assert is_signed_in(client)
    member.status = Status.SUSPENDED
    db.session.commit()
    assert not is_signed_in(client)
    [record] = sessions_of(member)
    assert record.revoked_reason == "account_suspended"
    # Reactivating does not bring the ended session back.
    member.status = Status.ACTIVE
    db.session.commit()
    assert not is_signed_in(client)


def test_admin_reset_of_second_factor_ends_all_sessions(app, member, admin_user):
    laptop = logged_in_client(app, member, **LAPTOP)
    phone = logged_in_client(app, member, **PHONE)
    admin = logged_in_client(app, admin_user)
    response = admin.post(f"/admin/users/{member.id}", data={"reason": "Phone stolen; called back"})
    assert response.status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert live_sessions_of(member) == []
    assert {record.revoked_reason for record in sessions_of(member)} == {"second_factor_reset"}
    assert is_signed_in(admin)


def test_an_admin_ends_every_session_of_a_user(app, member, admin_user):
    browsers = [logged_in_client(app, member) for _ in range(2)]
    admin = logged_in_client(app, admin_user)
    response = admin.post(f"/admin/users/{member.id}/sessions/end")
    assert response.status_code == 302
    assert not any(is_signed_in(browser) for browser in browsers)
    [event] = audit_rows("session.ended_by_admin")
    assert (event.actor_id, event.target_id, event.details_dict) == (
        admin_user.id,
        str(member.id),
        {"count": 2},
    )


def test_only_admins_end_other_peoples_sessions(app, member, moderator):
    browser = logged_in_client(app, member)
    staff = logged_in_client(app, moderator)
    assert staff.post(f"/admin/users/{member.id}/sessions/end").status_code == 403
    assert is_signed_in(browser)
    assert audit_rows("session.ended_by_admin") == []


def test_an_ordinary_request_does_not_set_the_cookie_again(client, member):
    """The record, not the cookie, carries the timeouts: nothing to re-sign per response."""
    log_in(client, member)
    client.get("/")  # the first page may add to the cookie (its form token)
    answer = client.get("/")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert is_signed_in(client)


def test_the_session_lookup_gives_live_objects_of_the_request(app, client, member):
    """Built from one driver-level row, yet ordinary persistent objects: they lazy-load and
    their changes are written."""
    import sqlalchemy as sa
    from flask import g
    from flask import session as cookie_session

    from forum.auth.sessions import SESSION_TOKEN_KEY
    from forum.auth.sessions import find_session

    log_in(client, member)
    token = app.session_interface.get_signing_serializer(app).loads(cookie_value(client))[
        SESSION_TOKEN_KEY
    ]
    with app.test_request_context():
        cookie_session[SESSION_TOKEN_KEY] = token
        record = find_session(token)
        assert record is not None and record.user.id == member.id
        assert sa.inspect(record).persistent and sa.inspect(record.user).persistent
        assert record.created_at.tzinfo is not None and record.user.created_at.tzinfo is not None
        assert record.user.email == member.email and record.user.has_totp
        assert record in db.session.scalars(record.user.sessions.select()).all()
        record.user.display_name = "Renamed Through The Lookup"
        db.session.commit()
        g.pop("auth_session", None)
    db.session.expire_all()
    assert db.session.get(type(member), member.id).display_name == "Renamed Through The Lookup"
