"""Server-side sessions: the cookie carries an opaque token, the database decides.

Keeping the record on the server lets a user see and revoke their sessions, lets
suspension and password changes end sessions at once, and enforces idle and absolute
timeouts whatever the browser does with its cookie.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask import session

from forum import direct_reads
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.models import UserSession
from forum.db_types import utcnow
from forum.extensions import db
from forum.security.crypto import new_token
from forum.security.crypto import token_hash

SESSION_TOKEN_KEY = "sid"
# Writing last_seen on every request would turn every page view into a write.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
_ENROLMENT_STATUSES = {Status.INVITED, Status.ACTIVE}


def _client_details() -> tuple[str, str]:
    if not has_request_context():
        return "", ""
    agent = (request.user_agent.string or "")[:300]
    return (request.remote_addr or "")[:45], agent


def start_session(user: User, *, mfa_complete: bool) -> UserSession:
    """Create a session record and a fresh cookie token (a new identifier at every login)."""
    token = new_token()
    now = utcnow()
    ip_address, user_agent = _client_details()
    record = UserSession(
        user=user,
        token_hash=token_hash(token),
        mfa_complete=mfa_complete,
        created_at=now,
        last_seen_at=now,
        expires_at=now + current_app.config["SESSION_ABSOLUTE_LIFETIME"],
        reauthenticated_at=now if mfa_complete else None,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    db.session.add(record)
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    g.auth_session = record
    return record


def rotate_session(record: UserSession, reason: str) -> UserSession:
    """Replace a session by a full one under a new identifier (after any authentication).

    A token that was seen before the authentication is worthless after it (ASVS 7.2.4).
    """
    revoke(record, reason)
    return start_session(record.user, mfa_complete=True)


def session_status(record: UserSession) -> tuple[bool, str]:
    """Whether a session record may still be used, and why not (for long-lived sockets too)."""
    return _is_usable(record)


def _is_usable(record: UserSession) -> tuple[bool, str]:
    now = utcnow()
    if record.revoked_at is not None:
        return False, record.revoked_reason or "revoked"
    if now >= record.expires_at:
        return False, "expired"
    if now - record.last_seen_at > current_app.config["SESSION_IDLE_TIMEOUT"]:
        return False, "idle"
    allowed = {Status.ACTIVE} if record.mfa_complete else _ENROLMENT_STATUSES
    if record.user.status not in allowed:
        return False, "account_" + record.user.status
    if record.mfa_complete and not record.user.has_totp:
        return False, "second_factor_reset"
    return True, ""


def _row_statement() -> sa.Select:
    """The session record and its member as plain columns, in one statement."""
    columns = [
        *(column.label(f"s_{column.key}") for column in UserSession.__table__.columns),
        *(column.label(f"u_{column.key}") for column in User.__table__.columns),
    ]
    return (
        sa.select(*columns)
        .join_from(UserSession, User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == sa.bindparam("token_hash"))
    )


_SESSION_ROW = _row_statement()
_SESSION_KEYS = [column.key for column in UserSession.__table__.columns]
_USER_KEYS = [column.key for column in User.__table__.columns]


def _as_loaded(cls, values: dict):
    """A detached instance built from a row as the ORM would load it, without its machinery.

    The ORM's loading cost more than the query on every request (see forum.direct_reads).
    """
    instance = cls.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    so.make_transient_to_detached(instance)
    return instance


def _load_session(token: str) -> UserSession | None:
    row = direct_reads.first(_SESSION_ROW, {"token_hash": token_hash(token)})
    if row is None:
        return None
    width = len(_SESSION_KEYS)
    record = db.session.identity_map.get(db.session.identity_key(UserSession, row[0]))
    if record is not None:  # already in this request's session (just created or revoked)
        return record
    user = db.session.identity_map.get(db.session.identity_key(User, row[width]))
    if user is None:
        user = _as_loaded(User, dict(zip(_USER_KEYS, row[width:], strict=True)))
    values = dict(zip(_SESSION_KEYS, row[:width], strict=True))
    values["user"] = user
    record = _as_loaded(UserSession, values)
    db.session.add(record)  # persistent in the request's session, and its member with it
    return record


def find_session(token: str | None) -> UserSession | None:
    """Return the usable session for a cookie token, ending it server-side if it lapsed."""
    if not token:
        return None
    record = _load_session(token)
    if record is None:
        return None
    usable, reason = _is_usable(record)
    if not usable:
        if record.revoked_at is None:
            revoke(record, reason)
            db.session.commit()
        return None
    return record


def current_auth_session() -> UserSession | None:
    """The request's session record, loaded once per request (HTTP or Socket.IO)."""
    if "auth_session" not in g:
        record = find_session(session.get(SESSION_TOKEN_KEY))
        if record is None:
            session.pop(SESSION_TOKEN_KEY, None)
        else:
            _touch(record)
        g.auth_session = record
    return g.auth_session


def _touch(record: UserSession) -> None:
    now = utcnow()
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        record.user.last_seen_at = now
        db.session.commit()


def load_user_for_request(_request) -> User | None:
    """Flask-Login request loader: only a session with a completed second factor is a login."""
    record = current_auth_session()
    if record is None or not record.mfa_complete:
        return None
    return record.user


def revoke(record: UserSession, reason: str) -> None:
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        record.revoked_reason = reason


def revoke_all(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every live session of ``user`` except ``keep``; returns how many ended."""
    now = utcnow()
    query = (
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(query, execution_options={"synchronize_session": "fetch"})
    return result.rowcount


def active_sessions(user: User) -> list[UserSession]:
    now = utcnow()
    idle_cutoff = now - current_app.config["SESSION_IDLE_TIMEOUT"]
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.mfa_complete.is_(True),
                UserSession.expires_at > now,
                UserSession.last_seen_at > idle_cutoff,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def end_current_session() -> None:
    record = current_auth_session()
    if record is not None:
        revoke(record, "logout")
        db.session.commit()
    session.clear()
    g.auth_session = None


def is_recently_reauthenticated(record: UserSession | None) -> bool:
    if record is None or record.reauthenticated_at is None:
        return False
    return utcnow() - record.reauthenticated_at <= current_app.config["REAUTH_WINDOW"]
