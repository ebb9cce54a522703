"""This process's open sockets: who they belong to, and the guard every handler runs behind.

The handshake resolves the Flask session cookie to a server-side session once; after that
each socket keeps the session id and who it belongs to, and the record is re-read every few
seconds: for all sockets at once by :mod:`forum.chat.sweeper`, or here on use when no sweep
has vouched for the socket lately. A revoked, expired or suspended session loses its socket
within seconds, and an event costs no database round trip for the check itself.
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
from flask import g

from forum.auth.models import User
from forum.auth.models import UserSession
from forum.auth.sessions import LAST_SEEN_RESOLUTION
from forum.auth.sessions import session_status
from forum.chat.errors import ChatError
from forum.chat.errors import internal_error
from forum.chat.errors import rate_error
from forum.chat.realtime import NAMESPACE
from forum.db_types import utcnow
from forum.extensions import db
from forum.extensions import socketio

log = logging.getLogger("forum.chat")


@dataclass(frozen=True)
class SocketUser:
    """The signed-in member as a socket knows them: enough for the handlers' rules and the
    audit log (``id``), and for payloads (names), without loading the account per event."""

    id: int
    display_name: str
    email: str


@dataclass
class Connection:
    sid: str
    user_id: int
    session_id: int
    user: SocketUser | None = None
    checked_at: float = field(default_factory=time.monotonic)
    touched_at: float = field(default_factory=time.monotonic)
    active_at: float = 0.0
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


def register(sid: str, user: User, session_id: int, burst: int) -> Connection:
    connection = Connection(
        sid=sid,
        user_id=user.id,
        session_id=session_id,
        user=SocketUser(user.id, user.display_name or "", user.email),
        tokens=burst,
    )
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
    return record is not None and session_status(record)[0]


def _still_valid(connection: Connection) -> bool:
    """The sweep refreshes ``checked_at`` for every socket each interval; a socket it has not
    vouched for lately (no sweeper, or a stalled one) is checked here, on its own."""
    if connection.revoked:
        return False
    now = time.monotonic()
    allowed = current_app.config["CHAT_SESSION_RECHECK_SECONDS"]
    if _sweeper_running():
        allowed *= 2  # the sweep is due every interval; only a missed one falls to the guard
    if now - connection.checked_at >= allowed:
        connection.checked_at = now
        if not session_usable(connection.session_id):
            connection.revoked = True
            return False
    return True


def due_for_touch(connection: Connection, now: float) -> bool:
    return (
        connection.active_at > connection.touched_at
        and now - connection.touched_at >= LAST_SEEN_RESOLUTION.total_seconds()
    )


def touch(connections: list[Connection]) -> None:
    """Socket activity counts as activity for the idle timeout: at most one write a minute per
    socket, batched (the sweep calls this for every socket at once)."""
    if not connections:
        return
    now = time.monotonic()
    for connection in connections:
        connection.touched_at = now
    stamp = utcnow()
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id.in_({c.session_id for c in connections}))
        .values(last_seen_at=stamp)
    )
    db.session.execute(
        sa.update(User)
        .where(User.id.in_({c.user_id for c in connections}))
        .values(last_seen_at=stamp)
    )
    db.session.commit()


def current_sid() -> str:
    """The socket the event being handled came from."""
    return g.chat_sid


def authenticated(handler):
    """The one guard for every event: live session, rate limit, errors as acknowledgements.

    ``handler(user, *args)`` receives the signed-in member first (a :class:`SocketUser`);
    :func:`current_sid` names the socket. A refused event is answered with
    ``{"ok": false, "error": code, "message": text}`` and never half-written.
    """

    @functools.wraps(handler)
    def guarded(sid: str, *args):
        connection = get(sid)
        if connection is None or not _still_valid(connection):
            db.session.rollback()
            socketio.server.disconnect(sid, namespace=NAMESPACE)
            return {"ok": False, "error": "unauthenticated", "message": ""}
        config = current_app.config
        if not connection.take_token(config["CHAT_RATE_BURST"], config["CHAT_RATE_PER_SECOND"]):
            return rate_error().ack()
        connection.active_at = time.monotonic()
        try:
            if not _sweeper_running() and due_for_touch(connection, connection.active_at):
                touch([connection])
            return handler(connection.user, *args)
        except ChatError as error:
            db.session.rollback()
            return error.ack()
        except Exception:
            db.session.rollback()
            log.exception("chat event %s failed", handler.__name__)
            return internal_error().ack()

    return guarded


def socket_event(name: str):
    """Register ``handler`` for the Socket.IO event ``name``, behind :func:`authenticated`.

    Events run in an application context only. Flask-SocketIO's own dispatch builds a full
    request context from the handshake's environ for every event (URL matching that fails
    on "/socket.io/" and leaves a NotFound traceback's garbage, the session cookie decoded
    again): a quarter of a message's CPU time, for nothing a chat event uses. The handshake
    (``connect``) keeps Flask-SocketIO's handler: it needs the request and its cookie.
    """

    def decorator(handler):
        guarded = authenticated(handler)

        @functools.wraps(handler)
        def dispatch(sid, *args):
            environ = socketio.server.get_environ(sid, namespace=NAMESPACE)
            if not environ:
                return {"ok": False, "error": "unauthenticated", "message": ""}
            with environ["flask.app"].app_context():
                g.chat_sid = sid
                return guarded(sid, *args)

        # Kept for every server built later (each app in one process gets its own), and
        # bound now if a server already runs.
        socketio.handlers.append((name, dispatch, NAMESPACE))
        if socketio.server is not None:
            socketio.server.on(name, dispatch, namespace=NAMESPACE)
        return handler

    return decorator


_sweeper_is_running = None


def _sweeper_running() -> bool:
    global _sweeper_is_running
    if _sweeper_is_running is None:
        from forum.chat.sweeper import is_running

        _sweeper_is_running = is_running
    return _sweeper_is_running()
