"""Messages: send, edit, delete, read markers. ``check_*`` validate, ``do_*`` write, then emit.

Sending is the hot path of a chat server, so it is one statement: the membership check, the
idempotent insert (a repeated client id changes nothing), the conversation's last message
and the sender's own read marker travel in a single round trip on PostgreSQL (a
data-modifying CTE, committed on its own), in three statements and one commit on SQLite.
In a gevent server process sends are group-committed: those arriving while one is being
written go out next as one statement (one commit). Only after the commit does a message go
out, to the conversation's room.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import psycopg
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum.auth.models import User
from forum.chat import realtime
from forum.chat import sendpool
from forum.chat.errors import ChatError
from forum.chat.errors import not_found
from forum.chat.errors import unreadable
from forum.chat.models import ChatPreference
from forum.chat.models import Message
from forum.chat.queries import membership
from forum.chat.queries import message_payload
from forum.chat.queries import require_member
from forum.chat.queries import wants_receipts
from forum.db_types import UTCDateTime
from forum.db_types import utcnow
from forum.extensions import db
from forum.security import audit
from forum.security.sanitize import render_markdown

MAX_CLIENT_ID_LENGTH = 64
EDIT_WINDOW = timedelta(minutes=15)

# One line of words and ordinary punctuation renders to itself in a paragraph: most chat
# messages skip the Markdown parser and the sanitiser (tests compare both paths).
_PLAIN = re.compile(r"[^\W\d_][^\W_]*(?:[ ,.?!'][^\W_]*)*[.?!]?", re.UNICODE)


def render_body(body: str) -> str:
    """Sanitised HTML for a message body, rendered once at write time."""
    if not body:
        return ""
    if len(body) <= 2000 and _PLAIN.fullmatch(body):
        # Letters, digits, spaces and , . ? ! ' only: nothing here can be markup.
        return f"<p>{body}</p>\n"
    return render_markdown(body)


def check_body(body) -> str:
    if not isinstance(body, str):
        raise unreadable()
    body = body.strip()
    if not body:
        raise ChatError("empty", _l("The message is empty."))
    limit = current_app.config["CHAT_MAX_MESSAGE_LENGTH"]
    if len(body) > limit:
        raise ChatError(
            "too_long", _l("The message is too long (%(limit)s characters at most).", limit=limit)
        )
    return body


def check_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH:
        raise unreadable()
    return client_id


def check_conversation_id(conversation_id) -> int:
    try:
        return int(conversation_id)
    except (TypeError, ValueError):
        raise not_found() from None


@dataclass(frozen=True)
class Sent:
    """What a send stored (or found already stored): the ack and the room's event."""

    id: int
    created_at: datetime
    payload: dict


_MEMBER = "EXISTS (SELECT 1 FROM chat_members WHERE conversation_id = :cid AND user_id = :uid)"
_INSERT = (
    "INSERT INTO chat_messages"
    " (conversation_id, sender_id, client_id, body, body_html, attachment_id, attachment_name,"
    " created_at)"
    " SELECT CAST(:cid AS INTEGER), CAST(:uid AS INTEGER), CAST(:client_id AS VARCHAR(64)),"
    " CAST(:body AS TEXT), CAST(:html AS TEXT), CAST(:attachment AS INTEGER),"
    " CAST(:attachment_name AS VARCHAR(255)), :now"
    f" WHERE {_MEMBER}"
    " ON CONFLICT (conversation_id, sender_id, client_id) DO NOTHING"
    " RETURNING id"
)
_BIND_NOW = sa.bindparam("now", type_=UTCDateTime())
_SEND_PG = sa.text(
    f"WITH m AS ({_INSERT}),"
    " c AS (UPDATE chat_conversations SET last_message_id = GREATEST(last_message_id, m.id),"
    " last_message_at = :now FROM m WHERE chat_conversations.id = :cid),"
    " r AS (UPDATE chat_members SET last_read_message_id = GREATEST(last_read_message_id, m.id)"
    " FROM m WHERE chat_members.conversation_id = :cid AND chat_members.user_id = :uid)"
    " SELECT id FROM m"
).bindparams(_BIND_NOW)
_INSERT_ONLY = sa.text(_INSERT).bindparams(_BIND_NOW)
_AFTER_INSERT = (
    sa.text(
        "UPDATE chat_conversations SET last_message_id = MAX(last_message_id, :id),"
        " last_message_at = :now WHERE id = :cid"
    ).bindparams(_BIND_NOW),
    sa.text(
        "UPDATE chat_members SET last_read_message_id = MAX(last_read_message_id, :id)"
        " WHERE conversation_id = :cid AND user_id = :uid"
    ),
)
_EXISTING = sa.text(
    "SELECT id, created_at, body_html, attachment_id, attachment_name, edited_at, deleted_at"
    " FROM chat_messages"
    f" WHERE conversation_id = :cid AND sender_id = :uid AND client_id = :client_id AND {_MEMBER}"
).columns(
    sa.column("id", sa.Integer),
    sa.column("created_at", UTCDateTime()),
    sa.column("body_html", sa.Text),
    sa.column("attachment_id", sa.Integer),
    sa.column("attachment_name", sa.String),
    sa.column("edited_at", UTCDateTime()),
    sa.column("deleted_at", UTCDateTime()),
)


# Many sends in one statement, for the driver itself (psycopg's parameter style): one column
# array per field, rows inserted in arrival order (ids follow it), each conversation's last
# message and each sender's read marker moved once. Sent on a pooled connection kept in
# autocommit: SQLAlchemy's statement and result layers cost more CPU than the database does
# for a chat message, and the statement is its own transaction.
_BATCH_COLUMNS = ("cid", "uid", "client_id", "body", "html", "attachment", "attachment_name", "now")
_SEND_MANY_PG_RAW = (
    "WITH i AS (SELECT * FROM unnest(%(cid)s::integer[], %(uid)s::integer[],"
    " %(client_id)s::varchar[], %(body)s::text[], %(html)s::text[], %(attachment)s::integer[],"
    " %(attachment_name)s::varchar[], %(now)s::timestamp[]) WITH ORDINALITY"
    " AS i(cid, uid, client_id, body, html, attachment, attachment_name, at, n)),"
    " m AS (INSERT INTO chat_messages"
    " (conversation_id, sender_id, client_id, body, body_html, attachment_id, attachment_name,"
    " created_at)"
    " SELECT cid, uid, client_id, body, html, attachment, attachment_name, at FROM i"
    " WHERE EXISTS (SELECT 1 FROM chat_members"
    " WHERE conversation_id = i.cid AND user_id = i.uid)"
    " ORDER BY n"
    " ON CONFLICT (conversation_id, sender_id, client_id) DO NOTHING"
    " RETURNING id, conversation_id, sender_id, client_id, created_at),"
    " c AS (UPDATE chat_conversations SET last_message_id = GREATEST(last_message_id, x.id),"
    " last_message_at = x.at"
    " FROM (SELECT conversation_id, max(id) AS id, max(created_at) AS at FROM m"
    " GROUP BY conversation_id) x WHERE chat_conversations.id = x.conversation_id),"
    " r AS (UPDATE chat_members SET last_read_message_id = GREATEST(last_read_message_id, x.id)"
    " FROM (SELECT conversation_id, sender_id, max(id) AS id FROM m"
    " GROUP BY conversation_id, sender_id) x"
    " WHERE chat_members.conversation_id = x.conversation_id"
    " AND chat_members.user_id = x.sender_id)"
    " SELECT conversation_id, sender_id, client_id, id FROM m"
)
_SEND_PG_RAW = re.sub(r"(?<!:):(\w+)", r"%(\1)s", _SEND_PG.text)


def _naive_utc(params: dict) -> dict:
    return {**params, "now": params["now"].astimezone(UTC).replace(tzinfo=None)}


def write_batch(pool: sendpool.SendPool, batch: list[dict]) -> list[int | None]:
    """Store a batch of sends in one statement; per send its new id, or None (already
    stored, earlier in the batch or before, or the sender is not a member)."""
    if len(batch) == 1:
        # Alone (an idle server): scalar parameters cost psycopg less than arrays.
        statement, params = _SEND_PG_RAW, _naive_utc(batch[0])
    else:
        statement, params = _SEND_MANY_PG_RAW, _batch_params(batch)
    for attempt in range(3):
        try:
            with pool.connection() as connection:
                rows = connection.execute(statement, params).fetchall()
            break
        except psycopg.errors.DeadlockDetected:
            # Two processes' batches locked the same conversations in another order; the
            # statement was rolled back whole, so writing it again stores each send once.
            if attempt == 2:
                raise
    if len(batch) == 1:
        return [rows[0][0] if rows else None]
    new_ids = {(cid, uid, client_id): id_ for cid, uid, client_id, id_ in rows}
    return [new_ids.pop((i["cid"], i["uid"], i["client_id"]), None) for i in batch]


def _batch_params(batch: list[dict]) -> dict:
    params = {column: [] for column in _BATCH_COLUMNS}
    for item in batch:
        for column in _BATCH_COLUMNS:
            params[column].append(item[column])
    params["now"] = [now.astimezone(UTC).replace(tzinfo=None) for now in params["now"]]
    return params


def _insert_raw(params: dict) -> int | None:
    pool = sendpool.current()
    if pool is not None:
        if pool.sends is None:
            pool.sends = sendpool.GroupCommit(functools.partial(write_batch, pool))
        return pool.sends.submit(params)
    params = _naive_utc(params)
    pooled = db.engine.raw_connection()
    try:
        connection = pooled.driver_connection
        connection.autocommit = True
        try:
            row = connection.execute(_SEND_PG_RAW, params).fetchone()
        finally:
            connection.autocommit = False
    finally:
        pooled.close()
    return row[0] if row else None


def _insert(params: dict) -> int | None:
    """Store the message if the sender is a member and the client id is new; its id or None."""
    if db.engine.dialect.name == "postgresql":
        if not (db.session.registry.has() and db.session().in_transaction()):
            # Nothing else pending in this context: the single statement is its own
            # transaction (no BEGIN, no COMMIT round trips).
            return _insert_raw(params)
        new_id = db.session.execute(_SEND_PG, params).scalar()
    else:
        new_id = db.session.execute(_INSERT_ONLY, params).scalar()
        if new_id is not None:
            for statement in _AFTER_INSERT:
                db.session.execute(statement, {**params, "id": new_id})
    db.session.commit()
    return new_id


def do_send(
    user: User,
    conversation_id,
    client_id,
    body,
    *,
    attachment_id: int | None = None,
    attachment_name: str = "",
    skip_sid: str | None = None,
) -> tuple[Sent, bool]:
    """Validate, persist, commit, then emit; a repeated client id returns the stored message.

    ``user`` needs ``id``, ``display_name`` and ``email`` only (sockets pass a cached view).
    ``skip_sid``: the sending socket, which gets the message in its acknowledgement instead.
    """
    client_id = check_client_id(client_id)
    body = check_body(body) if body or attachment_id is None else ""
    conversation_id = check_conversation_id(conversation_id)
    now = utcnow()
    html = render_body(body)
    params = {
        "cid": conversation_id,
        "uid": user.id,
        "client_id": client_id,
        "body": body,
        "html": html,
        "attachment": attachment_id,
        "attachment_name": attachment_name,
        "now": now,
    }
    new_id = _insert(params)
    created = new_id is not None
    if created:
        row = {"id": new_id, "created_at": now, "body_html": html, "edited_at": None}
        row.update(attachment_id=attachment_id, attachment_name=attachment_name, deleted_at=None)
    else:
        # Already stored (a resend), or not a member: only a member's own message comes back.
        found = db.session.execute(_EXISTING, params).mappings().first()
        db.session.commit()
        if found is None:
            raise not_found()
        row = dict(found)
    deleted = row["deleted_at"] is not None
    payload = {
        "id": row["id"],
        "conversation_id": conversation_id,
        "client_id": client_id,
        "sender_id": user.id,
        "sender_name": user.display_name or user.email,
        "html": "" if deleted else row["body_html"],
        "created_at": row["created_at"].isoformat(),
        "edited": row["edited_at"] is not None,
        "deleted": deleted,
        "attachment_id": None if deleted else row["attachment_id"],
        "attachment_name": "" if deleted else row["attachment_name"],
    }
    # Emitted again for a resend: a commit whose emit was lost (process died) still reaches
    # the room; clients drop ids they already have.
    realtime.message_created(payload, skip_sid=skip_sid)
    return Sent(row["id"], row["created_at"], payload), created


def _own_recent_message(user: User, message_id) -> Message:
    try:
        message = db.session.get(Message, int(message_id))
    except (TypeError, ValueError):
        message = None
    if message is None or membership(user.id, message.conversation_id) is None:
        raise ChatError("not_found", _l("This message does not exist."), 404)
    if message.sender_id != user.id:
        raise ChatError("forbidden", _l("You can only change your own messages."), 403)
    if message.deleted_at is not None:
        raise ChatError("invalid", _l("This message was deleted."))
    if utcnow() - message.created_at > EDIT_WINDOW:
        raise ChatError(
            "too_late", _l("Messages can be changed for 15 minutes after they are sent.")
        )
    return message


def do_edit(user: User, message_id, body) -> Message:
    message = _own_recent_message(user, message_id)
    body = check_body(body)
    message.body = body
    message.body_html = render_body(body)
    message.edited_at = utcnow()
    db.session.commit()
    realtime.message_updated(message_payload(message))
    return message


def do_delete(user: User, message_id) -> Message:
    message = _own_recent_message(user, message_id)
    message.deleted_at = utcnow()
    message.body = ""
    message.body_html = ""
    audit.record(
        "chat.message_deleted",
        actor=user,
        target_type="chat_message",
        target_id=message.id,
        conversation=message.conversation_id,
    )
    db.session.commit()
    realtime.message_updated(message_payload(message))
    return message


def do_mark_read(user: User, conversation_id, message_id) -> int:
    """Move the read marker forward (never back); announce it if the reader allows."""
    member = require_member(user.id, conversation_id)
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        raise unreadable() from None
    newest = db.session.scalar(
        sa.select(sa.func.max(Message.id)).where(
            Message.conversation_id == member.conversation_id, Message.id <= message_id
        )
    )
    if not newest or newest <= member.last_read_message_id:
        return member.last_read_message_id
    member.last_read_message_id = newest
    db.session.commit()
    if wants_receipts(user.id):
        realtime.read_receipt(member.conversation_id, user.id, newest)
    realtime.unread_changed(user.id, member.conversation_id, 0)
    return newest


def do_set_receipts(user: User, enabled: bool) -> None:
    pref = db.session.get(ChatPreference, user.id)
    if pref is None:
        pref = ChatPreference(user_id=user.id)
        db.session.add(pref)
    pref.read_receipts = bool(enabled)
    db.session.commit()
