"""Background work of a chat server process: end sockets whose session died, keep presence
fresh, and (optionally) send offline e-mail notices.

One task per process, started with the first socket. A suspension also disconnects at once
through :data:`forum.security.signals.user_access_revoked`; the sweep is the safety net
for everything else (revocation from another process, expiry, idle timeout).
"""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from forum.auth.models import User
from forum.auth.models import UserSession
from forum.auth.sessions import session_status
from forum.chat import connections
from forum.chat import realtime
from forum.extensions import db
from forum.extensions import socketio
from forum.security.signals import user_access_revoked

log = logging.getLogger("forum.chat")
_started: set[int] = set()
_start_lock = threading.Lock()


def sweep_once(app) -> list[str]:
    """Disconnect this process's sockets whose session is no longer usable; returns their sids."""
    live = connections.all_connections()
    if not live:
        return []
    ended = []
    with app.app_context():
        session_ids = {c.session_id for c in live}
        usable = {record.id for record in _snapshots(session_ids) if session_status(record)[0]}
        db.session.commit()  # end the read transaction
        now = time.monotonic()
        for connection in live:
            if connection.session_id in usable:
                connection.checked_at = now
            else:
                connection.revoked = True
                ended.append(connection.sid)
                socketio.server.disconnect(connection.sid, namespace=realtime.NAMESPACE)
        realtime.presence().refresh({c.sid: c.user_id for c in live if c.sid not in ended})
        connections.touch([c for c in live if connections.due_for_touch(c, now)])
        db.session.remove()
    return ended


def _among(column, ids):
    """``column = ANY(array)`` on PostgreSQL: one parameter, not one per socket (the driver
    parses a statement with a thousand placeholders on every sweep)."""
    if db.engine.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("ids", list(ids), type_=ARRAY(sa.Integer)))
    return column.in_(ids)


def _snapshots(session_ids) -> list[SimpleNamespace]:
    """The fields :func:`forum.auth.sessions.session_status` reads, for many sessions in one
    plain query: building ORM objects for a thousand sockets every few seconds was a tenth
    of a busy server's CPU. Tests compare the verdicts with those on ORM records."""
    s, u = UserSession, User
    rows = db.session.execute(
        sa.select(
            s.id,
            s.revoked_at,
            s.revoked_reason,
            s.expires_at,
            s.last_seen_at,
            s.mfa_complete,
            u.status,
            u.totp_secret_encrypted.is_not(None) & u.totp_enrolled_at.is_not(None),
        )
        .join(u, u.id == s.user_id)
        .where(_among(s.id, session_ids))
    )
    return [
        SimpleNamespace(
            id=row[0],
            revoked_at=row[1],
            revoked_reason=row[2],
            expires_at=row[3],
            last_seen_at=row[4],
            mfa_complete=row[5],
            user=SimpleNamespace(status=row[6], has_totp=bool(row[7])),
        )
        for row in rows
    ]


def _loop(app, server) -> None:
    interval = app.config["CHAT_SESSION_RECHECK_SECONDS"]
    notices_every = 60.0
    last_notices = time.monotonic()
    # Stops when the shared SocketIO object is re-bound to another app (tests build many).
    while socketio.server is server:
        socketio.sleep(interval)
        try:
            sweep_once(app)
            if app.config["CHAT_OFFLINE_NOTICE_TASK"] and (
                time.monotonic() - last_notices >= notices_every
            ):
                from forum.chat.notices import send_offline_notices

                last_notices = time.monotonic()
                with app.app_context():
                    send_offline_notices()
        except Exception:  # pragma: no cover - keep sweeping whatever happened once
            log.exception("chat sweep failed")


def is_running() -> bool:
    """Whether this process's sweep runs for the current Socket.IO server."""
    return id(socketio.server) in _started


def ensure_running(app) -> None:
    if not app.config.get("CHAT_SWEEPER", not app.testing):
        return
    server = socketio.server
    with _start_lock:
        if id(server) in _started:
            return
        _started.add(id(server))
    socketio.start_background_task(_loop, app, server)


@user_access_revoked.connect
def _on_access_revoked(sender, user_id: int, reason: str = "", **extra) -> None:
    """Suspension, deactivation, second-factor reset, session revocation: drop sockets now."""
    app = sender if hasattr(sender, "app_context") else None
    if app is None or "chat_presence" not in app.extensions:
        return
    with app.app_context():
        count = realtime.disconnect_user(user_id)
    if count:
        log.info("disconnected %s socket(s) of user %s (%s)", count, user_id, reason)
