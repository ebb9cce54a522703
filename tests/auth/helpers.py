"""Small readers shared by the account tests: audit rows, mailed links, session records."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import urlsplit

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.models import UserSession
from forum.extensions import db
from forum.security.audit import AuditEvent
from tests.factories import totp_code

COOKIE = "liaison_session"


def audit_actions() -> list[str]:
    """Every audit action written so far, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def audit_rows(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def mail_text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def link_path(message: EmailMessage, marker: str) -> str:
    """The path of the one absolute link in a mail whose path starts with ``marker``."""
    links = re.findall(r"https?://\S+", mail_text(message))
    paths = [urlsplit(link).path for link in links if urlsplit(link).path.startswith(marker)]
    assert len(paths) == 1, links
    return paths[0]


def log_in(client, user: User, code: str | None = None):
    """Password step, then code step, as a browser does; returns the code step's answer."""
    first = client.post("/auth/login", data={"email": user.email, "password": user.test_password})
    assert first.status_code == 302, first.status_code
    return client.post("/auth/login/code", data={"code": code or totp_code(user)})


def logged_in_client(app, user: User, **environ):
    """A new browser (optionally with its own User-Agent / address) signed in as ``user``."""
    client = app.test_client()
    client.environ_base.update(environ)
    answer = log_in(client, user)
    assert answer.status_code == 302, answer.status_code
    return client


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def copy_cookie(source, target) -> None:
    target.set_cookie(COOKIE, cookie_value(source))


def sessions_of(user: User) -> list[UserSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
        )
    )


def live_sessions_of(user: User) -> list[UserSession]:
    return [record for record in sessions_of(user) if record.revoked_at is None]


def is_signed_in(client) -> bool:
    """True when the client reaches the home page; False when it is sent to log in."""
    answer = client.get("/")
    if answer.status_code == 200:
        return True
    assert answer.status_code == 302, answer.status_code
    assert answer.headers["Location"].startswith("/auth/login"), answer.headers["Location"]
    return False


def change_password(client, user: User, new_password: str):
    """POST the account's change-password form as its owner would fill it in."""
    return client.post(
        "/account/password",
        data={
            "current_password": user.test_password,
            "password": new_password,
            "confirmation": new_password,
        },
    )
