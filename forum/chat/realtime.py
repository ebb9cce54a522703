"""Outgoing real-time events and the Socket.IO transport settings.

Every emit names its recipients: a conversation's room (``conv:<id>``, joined only after a
membership check) or one user's room (``user:<id>``). With a message queue these calls
reach sockets on every server process.
"""

from __future__ import annotations

import os

import socketio as python_socketio
from flask import current_app
from socketio.packet import Packet

from forum.chat import presence as presence_module
from forum.chat import sendpool
from forum.chat import transport
from forum.extensions import db
from forum.extensions import socketio

NAMESPACE = "/"


def conversation_room(conversation_id: int) -> str:
    return f"conv:{conversation_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def apply_defaults(app) -> None:
    """Chat settings, overridable by the app's configuration or the environment."""
    defaults = {
        "CHAT_MAX_MESSAGE_LENGTH": 10_000,
        # Burst of this many events per socket, refilled at CHAT_RATE_PER_SECOND.
        "CHAT_RATE_BURST": _env_int("CHAT_RATE_BURST", 20),
        "CHAT_RATE_PER_SECOND": float(os.environ.get("CHAT_RATE_PER_SECOND", 5)),
        # How often a socket's server-side session is re-read (and swept), in seconds.
        "CHAT_SESSION_RECHECK_SECONDS": float(os.environ.get("CHAT_SESSION_RECHECK_SECONDS", 3)),
        "CHAT_OFFLINE_NOTICE_DELAY_MINUTES": _env_int("CHAT_OFFLINE_NOTICE_DELAY_MINUTES", 5),
        "CHAT_OFFLINE_NOTICE_INTERVAL_MINUTES": _env_int(
            "CHAT_OFFLINE_NOTICE_INTERVAL_MINUTES", 60
        ),
        # Run the offline e-mail sweep inside the server process (else: cron + the CLI).
        "CHAT_OFFLINE_NOTICE_TASK": os.environ.get("CHAT_OFFLINE_NOTICE_TASK", "0") == "1",
        # Under gevent every greenlet may hold a connection: redis-py's pool must not run dry
        # ("Too many connections" drops published messages).
        "CHAT_REDIS_MAX_CONNECTIONS": _env_int("CHAT_REDIS_MAX_CONNECTIONS", 2000),
        # Connections kept in autocommit for sends (forum.chat.sendpool); 0: the app's engine.
        "CHAT_SEND_POOL_SIZE": _env_int("CHAT_SEND_POOL_SIZE", 0),
    }
    for key, value in defaults.items():
        app.config.setdefault(key, value)


def process_engine_options(database_url: str) -> dict:
    """Engine settings for a gevent server process (chat and pages in one process).

    No pre-ping: it is a round trip on every checkout, i.e. on every chat event. A pooled
    connection that died (database restart) fails one request, whose client retries; idle
    connections are recycled before servers or firewalls drop them. The pool is as large as
    the concurrency one process serves, so sockets do not queue for a connection.
    """
    if not database_url.startswith("postgresql"):
        return {"pool_pre_ping": True}
    return {
        "pool_pre_ping": False,
        "pool_recycle": 600,
        "pool_size": _env_int("CHAT_DB_POOL_SIZE", 12),
        "max_overflow": _env_int("CHAT_DB_POOL_OVERFLOW", 0),
        "pool_timeout": 10,
    }


def process_overrides(database_url: str) -> dict:
    """Configuration for a gevent server process: its engine and the pool for sends."""
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": process_engine_options(database_url),
        "CHAT_SEND_POOL_SIZE": _env_int("CHAT_SEND_POOL_SIZE", 16),
    }


def _async_mode() -> str:
    """gevent when the process was monkey-patched (production entry point), else threads."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


class ChatRedisManager(python_socketio.RedisManager):
    """python-socketio's Redis queue, with plain emits that arrive together published as one.

    Each emit still reaches this process's sockets at once, and returns only once it is
    published (an acknowledgement still follows the delivery to every process); emits made
    while a publish is in flight (a group-committed batch's messages, typically) go out in
    the next one, as one Redis message (``emit_many``) that the other processes unpack in
    order. A publish costs a fifth of a message's CPU in a two-process chat. Processes without
    this class ignore ``emit_many`` (an unknown method), never treat it as an event.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._publishes = sendpool.GroupCommit(self._publish_together)

    def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None, **kw):
        room = kw.pop("to", None) or room
        if (
            callback is not None
            or kw.get("ignore_queue")
            or isinstance(data, tuple)
            or Packet.data_is_binary([data])
        ):
            return super().emit(
                event,
                data,
                namespace=namespace,
                room=room,
                skip_sid=skip_sid,
                callback=callback,
                **kw,
            )
        message = {
            "method": "emit",
            "event": event,
            "data": [data],
            "binary": False,
            "namespace": namespace or "/",
            "room": room,
            "skip_sid": skip_sid,
            "callback": None,
            "host_id": self.host_id,
        }
        self._handle_emit(message)  # this process's sockets
        self._publishes.submit(message)  # the others'

    def _publish_together(self, messages: list[dict]) -> list[None]:
        if len(messages) == 1:
            self._publish(messages[0])
        else:
            self._publish({"method": "emit_many", "messages": messages, "host_id": self.host_id})
        return [None] * len(messages)

    def _listen(self):
        for raw in super()._listen():
            try:
                data = raw if isinstance(raw, dict) else self.json.loads(raw)
            except ValueError:
                continue  # what the base class ignores too
            if not isinstance(data, dict) or data.get("method") != "emit_many":
                yield data
                continue
            if data.get("host_id") == self.host_id:
                continue
            for message in data.get("messages") or []:
                try:
                    self._handle_emit(message)
                except Exception:
                    self.server.logger.exception("Handler error in pubsub listening thread")


def socketio_options(app) -> dict:
    """Keyword arguments for ``socketio.init_app``; also sets up presence for this app."""
    apply_defaults(app)
    url = app.config["REDIS_URL"]
    manager = None
    if url:
        manager = ChatRedisManager(
            url,
            channel=app.config.get("CHAT_CHANNEL", "liaison-socketio"),
            redis_options={"max_connections": app.config["CHAT_REDIS_MAX_CONNECTIONS"]},
        )
        app.extensions["chat_presence"] = presence_module.RedisPresence(
            url,
            max_connections=app.config["CHAT_REDIS_MAX_CONNECTIONS"],
            prefix=app.config.get("CHAT_CHANNEL", "liaison-socketio") + ":chat",
        )
    else:
        app.extensions["chat_presence"] = presence_module.MemoryPresence()
    mode = app.config.get("SOCKETIO_ASYNC_MODE") or _async_mode()
    if mode == "gevent":
        transport.speed_up_websockets()
    return {
        # Always passed, None included: the SocketIO object is shared by every app built in
        # one process (tests) and must not keep an earlier app's queue.
        "client_manager": manager,
        "message_queue": url,
        "cors_allowed_origins": [app.config["BASE_URL"]],
        # Each socket keeps the copy of the Flask session taken at the handshake: the signed
        # cookie is decoded once, not on every event (chat never writes to the session).
        "manage_session": True,
        "async_mode": mode,
        # A socket's events are handled in the greenlet (thread) reading it, in order: no
        # new greenlet per event (a tenth of the CPU of a message under gevent).
        "async_handlers": False,
        "serializer": transport.ChatPacket,
        # The client sends pings; a dead peer is noticed within ping_interval + ping_timeout.
        "ping_interval": 20,
        "ping_timeout": 20,
        "max_http_buffer_size": 1_000_000,
    }


def presence():
    return current_app.extensions["chat_presence"]


def emit(event: str, data, room: str, *, skip_sid: str | None = None) -> None:
    socketio.emit(event, data, to=room, namespace=NAMESPACE, skip_sid=skip_sid)


# --- events emitted by actions, after their commit ------------------------------------------


def message_created(payload: dict, *, skip_sid: str | None = None) -> None:
    emit("message", payload, conversation_room(payload["conversation_id"]), skip_sid=skip_sid)


def message_updated(payload: dict) -> None:
    emit("message_updated", payload, conversation_room(payload["conversation_id"]))


def conversation_added(conversation_id: int, user_ids) -> None:
    """New members' open sockets join the room at once and hear about it."""
    for user_id in user_ids:
        for sid in presence().sids_of(user_id):
            socketio.server.enter_room(sid, conversation_room(conversation_id), NAMESPACE)
        emit("conversation_added", {"conversation_id": conversation_id}, user_room(user_id))


def conversation_changed(conversation_id: int, **changes) -> None:
    emit(
        "conversation_changed",
        {"conversation_id": conversation_id, **changes},
        conversation_room(conversation_id),
    )


def member_removed(conversation_id: int, user_id: int) -> None:
    """Removal takes effect on open sockets: out of the room on every process, then told."""
    room = conversation_room(conversation_id)
    for sid in presence().sids_of(user_id):
        socketio.server.leave_room(sid, room, NAMESPACE)
    emit("conversation_removed", {"conversation_id": conversation_id}, user_room(user_id))


def read_receipt(conversation_id: int, reader_id: int, message_id: int) -> None:
    """Only to members who share their own receipts."""
    import sqlalchemy as sa

    from forum.chat.models import ChatPreference
    from forum.chat.models import ConversationMember

    recipients = db.session.scalars(
        sa.select(ConversationMember.user_id)
        .outerjoin(ChatPreference, ChatPreference.user_id == ConversationMember.user_id)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.user_id != reader_id,
            sa.or_(ChatPreference.read_receipts.is_(None), ChatPreference.read_receipts),
        )
    )
    payload = {"conversation_id": conversation_id, "user_id": reader_id, "message_id": message_id}
    for user_id in recipients:
        emit("read", payload, user_room(user_id))


def unread_changed(user_id: int, conversation_id: int, count: int) -> None:
    emit("unread", {"conversation_id": conversation_id, "count": count}, user_room(user_id))


def presence_changed(user_id: int, status: str, conversation_ids) -> None:
    payload = {"user_id": user_id, "status": status}
    for conversation_id in conversation_ids:
        emit("presence", payload, conversation_room(conversation_id))


def disconnect_user(user_id: int) -> int:
    """Drop every socket of ``user_id`` on every process; returns how many were asked."""
    sids = presence().sids_of(user_id)
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE)
    return len(sids)


def listen_to_message_queue(sio) -> None:
    """Subscribe to the message queue as the server process starts.

    python-socketio subscribes lazily, at the process's first connection; a message another
    process published between that connection and the subscription was lost to it.
    """
    server = sio.server
    if server is not None and not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()
