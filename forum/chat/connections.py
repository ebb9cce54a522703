"""This process's open sockets: who they belong to, and the guard every handler runs behind.

The handshake resolves the Flask session cookie to a server-side session once; after that
each socket keeps only the session id and re-reads the record every few seconds (here on
use, and in :mod:`forum.chat.sweeper` for idle sockets), so a revoked, expired or suspended
session loses its socket within seconds.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask import current_app
from flask import request
from flask_socketio import disconnect

from forum.auth.models import User
from forum.auth.models import UserSession
from forum.auth.sessions import LAST_SEEN_RESOLUTION
from forum.auth.sessions import _is_usable
from forum.db_types import utcnow
from forum.extensions import db

log = logging.getLogger("forum.chat")


@dataclass
class Connection:
    sid: str
    user_id: int
    session_id: int
    checked_at: float = field(default_factory=time.monotonic)
    touched_at: float = field(default_factory=time.monotonic)
    tokens: float = 0.0
    refilled_at: float = field(default_factory=time.monotonic)
    revoked: bool = False

    def take_token(self, burst: int, per_second: float) -> bool:
        """Token bucket: ``burst`` events at once, ``per_second`` sustained."""
        now = time.monotonic()
        self.tokens = min(burst, self.tokens + (now - self.refilled_at) * per_second)
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


_lock = threading.Lock()
_connections: dict[str, Connection] = {}


def register(sid: str, user_id: int, session_id: int, burst: int) -> Connection:
    connection = Connection(sid=sid, user_id=user_id, session_id=session_id, tokens=burst)
    with _lock:
        _connections[sid] = connection
    return connection


def unregister(sid: str) -> Connection | None:
    with _lock:
        return _connections.pop(sid, None)


def get(sid: str) -> Connection | None:
    return _connections.get(sid)


def all_connections() -> list[Connection]:
    with _lock:
        return list(_connections.values())


def session_usable(session_id: int) -> bool:
    record = db.session.get(UserSession, session_id)
    return record is not None and _is_usable(record)[0]


def _still_valid(connection: Connection) -> bool:
    if connection.revoked:
        return False
    now = time.monotonic()
    if now - connection.checked_at >= current_app.config["CHAT_SESSION_RECHECK_SECONDS"]:
        connection.checked_at = now
        if not session_usable(connection.session_id):
            connection.revoked = True
            return False
    return True


def _touch(connection: Connection) -> None:
    """Socket activity counts as activity for the idle timeout, written at most once a minute."""
    now = time.monotonic()
    if now - connection.touched_at < LAST_SEEN_RESOLUTION.total_seconds():
        return
    connection.touched_at = now
    stamp = utcnow()
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == connection.session_id)
        .values(last_seen_at=stamp)
    )
    db.session.execute(
        sa.update(User).where(User.id == connection.user_id).values(last_seen_at=stamp)
    )
    db.session.commit()


def authenticated(handler):
    """The one guard for every event: live session, rate limit, errors as acknowledgements.

    The handler receives the signed-in :class:`User` first. A refused event is answered
    with ``{"ok": false, "error": code, "message": text}`` and never half-written.
    """
    from forum.chat.actions import ChatError

    @functools.wraps(handler)
    def guarded(*args):
        connection = get(request.sid)
        if connection is None or not _still_valid(connection):
            db.session.rollback()
            disconnect()
            return {"ok": False, "error": "unauthenticated", "message": ""}
        config = current_app.config
        if not connection.take_token(config["CHAT_RATE_BURST"], config["CHAT_RATE_PER_SECOND"]):
            from forum.chat.actions import rate_error

            return rate_error().ack()
        user = db.session.get(User, connection.user_id)
        try:
            _touch(connection)
            return handler(user, *args)
        except ChatError as error:
            db.session.rollback()
            return error.ack()
        except Exception:
            db.session.rollback()
            log.exception("chat event %s failed", handler.__name__)
            from forum.chat.actions import internal_error

            return internal_error().ack()

    return guarded
