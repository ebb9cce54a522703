"""Socket authentication: who may connect, and who is dropped (revoked, suspended, expired)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.auth.models import Status
from forum.auth.models import UserSession
from forum.auth.sessions import session_status
from forum.chat import sweeper
from forum.db_types import utcnow
from forum.extensions import db
from forum.security.signals import access_revoked
from tests.auth.helpers import live_sessions_of
from tests.chat.helpers import direct_between
from tests.factories import make_user


def test_anonymous_socket_is_refused(app, sockets):
    client = sockets(flask_client=app.test_client())
    assert not client.connected


def test_password_only_session_is_refused(app, sockets):
    user = make_user(enrolled=False)
    browser = app.test_client()
    answer = browser.post("/auth/login", data={"email": user.email, "password": user.test_password})
    assert answer.status_code == 302
    client = sockets(flask_client=browser)
    assert not client.connected


def test_signed_in_member_connects(app, sockets, member):
    client = sockets(member)
    assert client.connected


def test_foreign_origin_is_refused(app, sockets, member):
    client = sockets(member, headers={"Origin": "https://evil.example"})
    assert not client.connected


def test_own_origin_is_accepted(app, sockets, member):
    client = sockets(member, headers={"Origin": app.config["BASE_URL"]})
    assert client.connected


def _revoke_all(user):
    for record in live_sessions_of(user):
        record.revoked_at = utcnow()
        record.revoked_reason = "test"
    db.session.commit()


def test_revoked_session_is_dropped_by_the_sweep(app, sockets, member):
    client = sockets(member)
    _revoke_all(member)
    ended = sweeper.sweep_once(app)
    assert len(ended) == 1
    assert not client.connected


def test_revoked_session_is_refused_at_next_event(app, sockets, member):
    app.config["CHAT_SESSION_RECHECK_SECONDS"] = 0
    other = make_user()
    conversation = direct_between(member, other)
    client = sockets(member)
    _revoke_all(member)
    ack = client.emit("send", {"conversation_id": conversation.id, "client_id": "a", "body": "x"})
    assert ack["error"] == "unauthenticated"
    assert not client.connected


def test_expired_session_is_dropped(app, sockets, member):
    client = sockets(member)
    for record in live_sessions_of(member):
        record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sweeper.sweep_once(app)
    assert not client.connected


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.DEACTIVATED])
def test_suspension_signal_disconnects_at_once(app, sockets, member, status):
    client = sockets(member)
    second = sockets(member)
    member.status = status
    db.session.commit()
    access_revoked(app, member.id, "suspended")
    assert not client.connected
    assert not second.connected


def test_healthy_socket_survives_the_sweep(app, sockets, member):
    client = sockets(member)
    assert sweeper.sweep_once(app) == []
    assert client.connected


CHANGES = {
    "healthy": lambda record, user: None,
    "revoked": lambda record, user: setattr(record, "revoked_at", utcnow()),
    "expired": lambda record, user: setattr(record, "expires_at", utcnow() - timedelta(seconds=1)),
    "idle": lambda record, user: setattr(record, "last_seen_at", utcnow() - timedelta(hours=2)),
    "suspended": lambda record, user: setattr(user, "status", Status.SUSPENDED),
    "second_factor_reset": lambda record, user: setattr(user, "totp_enrolled_at", None),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_sweep_agrees_with_the_session_rule(app, sockets, member, change):
    """The sweep reads plain rows, not ORM records: same verdict as session_status, and the
    socket is dropped (or kept) accordingly, without any signal."""
    client = sockets(member)
    [record] = live_sessions_of(member)
    CHANGES[change](record, member)
    db.session.commit()
    expected = session_status(db.session.get(UserSession, record.id))[0]
    [snapshot] = sweeper._snapshots({record.id})
    assert session_status(snapshot) == session_status(db.session.get(UserSession, record.id))
    ended = sweeper.sweep_once(app)
    assert (ended == []) is expected
    assert client.connected is expected
    assert expected is (change == "healthy")
