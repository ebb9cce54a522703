"""Socket.IO handlers: the protocol in docs/chat-protocol.md, each handler a thin call into
:mod:`forum.chat.actions` behind the one :func:`authenticated` guard."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask_socketio import join_room

from forum.auth.sessions import current_auth_session
from forum.chat import actions
from forum.chat import connections
from forum.chat import realtime
from forum.chat import sweeper
from forum.chat.connections import current_sid
from forum.chat.connections import socket_event
from forum.chat.errors import not_found
from forum.extensions import db
from forum.extensions import socketio


def _origin_allowed() -> bool:
    """Browsers always send Origin on a WebSocket handshake and cross-site requests; it must be
    ours. Non-browser clients (bench, tests) may omit it; the cookie is SameSite=Lax anyway."""
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == current_app.config["BASE_URL"].rstrip("/")


@socketio.on("connect")
def on_connect(auth=None):
    """Refused unless the handshake carries a live session with a completed second factor."""
    if not _origin_allowed():
        return False
    record = current_auth_session()
    if record is None or not record.mfa_complete:
        db.session.rollback()
        return False
    user_id, session_id = record.user_id, record.id
    connections.register(
        request.sid, record.user, session_id, current_app.config["CHAT_RATE_BURST"]
    )
    join_room(realtime.user_room(user_id))
    conversation_ids = actions.conversation_ids_of(user_id)
    for conversation_id in conversation_ids:
        join_room(realtime.conversation_room(conversation_id))
    before, after = realtime.presence().add(user_id, request.sid)
    if before != after:
        realtime.presence_changed(user_id, after, conversation_ids)
    sweeper.ensure_running(current_app._get_current_object())
    return True


@socketio.on("disconnect")
def on_disconnect(reason=None):
    connection = connections.unregister(request.sid)
    if connection is None:
        return
    before, after = realtime.presence().remove(connection.user_id, request.sid)
    if before != after:
        realtime.presence_changed(
            connection.user_id, after, actions.conversation_ids_of(connection.user_id)
        )


def _payload(data) -> dict:
    if not isinstance(data, dict):
        raise actions.unreadable()
    return data


def _in_room(conversation_id) -> int:
    """Membership as this socket knows it: rooms are joined only after a database check and
    left on removal (on every process). Enough for ephemeral signals such as typing."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        raise not_found() from None
    room = realtime.conversation_room(conversation_id)
    if room not in socketio.server.rooms(current_sid(), namespace=realtime.NAMESPACE):
        raise not_found()
    return conversation_id


@socket_event("send")
def on_send(user, data=None):
    data = _payload(data)
    sent, created = actions.do_send(
        user,
        data.get("conversation_id"),
        data.get("client_id"),
        data.get("body"),
        skip_sid=current_sid(),
    )
    # The sending socket learns the stored message from the ack (one frame, not two); the
    # sender's other sockets get the room's "message" event like everyone else.
    return {
        "ok": True,
        "id": sent.id,
        "created_at": sent.payload["created_at"],
        "duplicate": not created,
        "message": sent.payload,
    }


@socket_event("edit")
def on_edit(user, data=None):
    data = _payload(data)
    message = actions.do_edit(user, data.get("message_id"), data.get("body"))
    return {"ok": True, "message": actions.message_payload(message)}


@socket_event("delete")
def on_delete(user, data=None):
    data = _payload(data)
    message = actions.do_delete(user, data.get("message_id"))
    return {"ok": True, "message": actions.message_payload(message)}


@socket_event("sync")
def on_sync(user, data=None):
    """Catch-up after (re)connecting: everything after ``last_id`` in the user's conversations."""
    data = _payload(data)
    try:
        last_id = max(0, int(data.get("last_id") or 0))
    except (TypeError, ValueError):
        raise actions.unreadable() from None
    conversation_ids = actions.conversation_ids_of(user.id)
    if "conversation_id" in data:
        member = actions.require_member(user.id, data.get("conversation_id"))
        conversation_ids = [member.conversation_id]
    messages = actions.since(conversation_ids, last_id)
    return {
        "ok": True,
        "messages": [actions.message_payload(m) for m in messages],
        "more": len(messages) == actions.CATCH_UP_LIMIT,
    }


@socket_event("history")
def on_history(user, data=None):
    data = _payload(data)
    member = actions.require_member(user.id, data.get("conversation_id"))
    try:
        before_id = int(data["before_id"]) if data.get("before_id") else None
    except (TypeError, ValueError):
        raise actions.unreadable() from None
    page = actions.history(member.conversation_id, before_id=before_id)
    return {
        "ok": True,
        "messages": [actions.message_payload(m) for m in page],
        "complete": len(page) < actions.PAGE_SIZE,
    }


@socket_event("join")
def on_join(user, data=None):
    """Enter a conversation's room (after being added); members only."""
    data = _payload(data)
    member = actions.require_member(user.id, data.get("conversation_id"))
    socketio.server.enter_room(
        current_sid(), realtime.conversation_room(member.conversation_id), realtime.NAMESPACE
    )
    return {"ok": True}


@socket_event("typing")
def on_typing(user, data=None):
    data = _payload(data)
    conversation_id = _in_room(data.get("conversation_id"))
    socketio.emit(
        "typing",
        {
            "conversation_id": conversation_id,
            "user_id": user.id,
            "name": user.display_name or user.email,
        },
        to=realtime.conversation_room(conversation_id),
        skip_sid=current_sid(),
    )
    return {"ok": True}


@socket_event("read")
def on_read(user, data=None):
    data = _payload(data)
    last_read = actions.do_mark_read(user, data.get("conversation_id"), data.get("message_id"))
    return {"ok": True, "last_read_id": last_read}


@socket_event("presence")
def on_presence(user, data=None):
    """``{"state": "away" | "online"}`` for this socket (page hidden / visible again)."""
    data = _payload(data)
    state = data.get("state")
    if state not in ("away", "online"):
        raise actions.unreadable()
    before, after = realtime.presence().set_away(user.id, current_sid(), state == "away")
    if before != after:
        realtime.presence_changed(user.id, after, actions.conversation_ids_of(user.id))
    return {"ok": True, "status": after}


@socket_event("who")
def on_who(user, data=None):
    """Presence of the members of one conversation."""
    data = _payload(data)
    member = actions.require_member(user.id, data.get("conversation_id"))
    statuses = realtime.presence().statuses(actions.member_ids(member.conversation_id))
    return {"ok": True, "presence": {str(uid): status for uid, status in statuses.items()}}


@socket_event("receipts")
def on_receipts(user, data=None):
    """Read positions of the other members (empty if the viewer does not share theirs)."""
    data = _payload(data)
    member = actions.require_member(user.id, data.get("conversation_id"))
    markers = actions.read_markers(member.conversation_id, user.id)
    return {"ok": True, "read": {str(uid): last for uid, last in markers.items()}}


@socketio.on_error_default
def on_error(error):  # pragma: no cover - the guard already turns errors into acks
    db.session.rollback()
    current_app.logger.exception("unhandled Socket.IO error")
    return {"ok": False, "error": "server_error", "message": ""}
