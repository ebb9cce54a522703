"""Chat rules: ``check_*`` validate, ``do_*`` write, commit once, then emit.

Both the HTTP views and the Socket.IO handlers call these, so a rule has one home. Events
go out only after the commit and only to the conversation's room, whose members are the
explicit recipients.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum.auth.models import Status
from forum.auth.models import User
from forum.chat import realtime
from forum.chat.models import ChatPreference
from forum.chat.models import Conversation
from forum.chat.models import ConversationMember
from forum.chat.models import Kind
from forum.chat.models import MemberRole
from forum.chat.models import Message
from forum.db_types import utcnow
from forum.extensions import db
from forum.security import audit
from forum.security.sanitize import render_markdown

MAX_GROUP_MEMBERS = 50
MAX_TITLE_LENGTH = 120
MAX_CLIENT_ID_LENGTH = 64
EDIT_WINDOW = timedelta(minutes=15)
PAGE_SIZE = 50
CATCH_UP_LIMIT = 500


class ChatError(Exception):
    """A refused request; ``code`` is stable for clients, ``message`` is for people."""

    def __init__(self, code: str, message, status: int = 400):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.status = status

    def ack(self) -> dict:
        return {"ok": False, "error": self.code, "message": self.message}


NOT_FOUND = ("not_found", _l("This conversation does not exist, or you are not in it."), 404)


def _not_found() -> ChatError:
    return ChatError(*NOT_FOUND)


# --- reading ------------------------------------------------------------------------


def membership(user_id: int, conversation_id) -> ConversationMember | None:
    """The member row, or None: callers answer "not found" so existence stays private."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(
        sa.select(ConversationMember).where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.user_id == user_id,
        )
    )


def require_member(user_id: int, conversation_id) -> ConversationMember:
    member = membership(user_id, conversation_id)
    if member is None:
        raise _not_found()
    return member


def conversation_ids_of(user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ConversationMember.conversation_id).where(
                ConversationMember.user_id == user_id
            )
        )
    )


def member_ids(conversation_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ConversationMember.user_id).where(
                ConversationMember.conversation_id == conversation_id
            )
        )
    )


def unread_counts(user_id: int) -> dict[int, int]:
    """Unread messages from others per conversation, in one query."""
    me = ConversationMember
    rows = db.session.execute(
        sa.select(Message.conversation_id, sa.func.count(Message.id))
        .join(
            me,
            sa.and_(me.conversation_id == Message.conversation_id, me.user_id == user_id),
        )
        .where(
            Message.id > me.last_read_message_id,
            Message.sender_id != user_id,
            Message.deleted_at.is_(None),
        )
        .group_by(Message.conversation_id)
    )
    return {conversation_id: count for conversation_id, count in rows}


def total_unread(user_id: int) -> int:
    return sum(unread_counts(user_id).values())


def conversations_for(user_id: int) -> list[Conversation]:
    """The user's conversations, most recent activity first, members loaded."""
    return list(
        db.session.scalars(
            sa.select(Conversation)
            .join(ConversationMember)
            .where(ConversationMember.user_id == user_id)
            .order_by(Conversation.last_message_id.desc(), Conversation.id.desc())
            .options(
                sa.orm.selectinload(Conversation.members).selectinload(ConversationMember.user)
            )
        )
    )


def display_title(conversation: Conversation, viewer_id: int) -> str:
    if conversation.is_group:
        return conversation.title
    others = [m.user for m in conversation.members if m.user_id != viewer_id]
    return ", ".join(u.display_name or u.email for u in others) or str(_l("Only you"))


def wants_receipts(user_id: int) -> bool:
    pref = db.session.get(ChatPreference, user_id)
    return pref is None or pref.read_receipts


def history(conversation_id: int, *, before_id: int | None = None, limit: int = PAGE_SIZE):
    """One page of messages older than ``before_id``, oldest first."""
    query = sa.select(Message).where(Message.conversation_id == conversation_id)
    if before_id:
        query = query.where(Message.id < before_id)
    page = list(
        db.session.scalars(
            query.order_by(Message.id.desc())
            .limit(limit)
            .options(sa.orm.joinedload(Message.sender))
        )
    )
    page.reverse()
    return page


def since(conversation_ids, after_id: int, *, limit: int = CATCH_UP_LIMIT) -> list[Message]:
    """Catch-up: messages newer than ``after_id`` in these conversations, in id order."""
    if not conversation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.conversation_id.in_(conversation_ids), Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
            .options(sa.orm.joinedload(Message.sender))
        )
    )


def message_payload(message: Message) -> dict:
    deleted = message.deleted_at is not None
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "client_id": message.client_id,
        "sender_id": message.sender_id,
        "sender_name": message.sender.display_name or message.sender.email,
        "html": "" if deleted else message.body_html,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "deleted": deleted,
        "attachment_id": None if deleted else message.attachment_id,
    }


def search(user_id: int, text: str, *, limit: int = 50) -> list[Message]:
    """Full-text search in the user's own conversations only, newest first."""
    terms = [t for t in (text or "").split() if t][:10]
    if not terms:
        return []
    query = (
        sa.select(Message)
        .join(
            ConversationMember,
            sa.and_(
                ConversationMember.conversation_id == Message.conversation_id,
                ConversationMember.user_id == user_id,
            ),
        )
        .where(Message.deleted_at.is_(None))
    )
    if db.engine.dialect.name == "postgresql":
        query = query.where(
            sa.func.to_tsvector("simple", Message.body).bool_op("@@")(
                sa.func.plainto_tsquery("simple", " ".join(terms))
            )
        )
    else:
        for term in terms:
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Message.body.ilike(f"%{escaped}%", escape="\\"))
    return list(
        db.session.scalars(
            query.order_by(Message.id.desc())
            .limit(limit)
            .options(sa.orm.joinedload(Message.sender))
        )
    )


def search_members(viewer_id: int, text: str, *, limit: int = 20) -> list[User]:
    """Active members by name, State (code or name) or authority."""
    text = (text or "").strip()
    if not text:
        return []
    like = f"%{text.replace('%', '').replace('_', '')}%"
    conditions = [User.display_name.ilike(like), User.authority_name.ilike(like)]
    if len(text) == 2:
        conditions.append(User.state_code == text.upper())
    import pycountry

    codes = [c.alpha_2 for c in pycountry.countries if text.lower() in c.name.lower()][:20]
    if codes:
        conditions.append(User.state_code.in_(codes))
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.status == Status.ACTIVE, User.id != viewer_id, sa.or_(*conditions))
            .order_by(User.display_name)
            .limit(limit)
        )
    )


# --- conversations ------------------------------------------------------------------


def _active_user(user_id) -> User:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or user.status != Status.ACTIVE:
        raise ChatError("unknown_member", _l("This member cannot be found."), 404)
    return user


def do_start_direct(user: User, other_id) -> Conversation:
    """The one direct conversation between two members, created on first use."""
    other = _active_user(other_id)
    if other.id == user.id:
        raise ChatError("invalid", _l("Choose someone other than yourself."))
    low, high = sorted((user.id, other.id))
    key = f"{low}:{high}"
    existing = db.session.scalar(sa.select(Conversation).where(Conversation.direct_key == key))
    if existing is not None:
        return existing
    conversation = Conversation(kind=Kind.DIRECT, direct_key=key, created_by_id=user.id)
    conversation.members = [
        ConversationMember(user_id=user.id, role=MemberRole.MEMBER),
        ConversationMember(user_id=other.id, role=MemberRole.MEMBER),
    ]
    db.session.add(conversation)
    db.session.flush()
    audit.record(
        "chat.direct_started",
        actor=user,
        target_type="conversation",
        target_id=conversation.id,
        with_user=other.id,
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # The other side started it at the same moment: use theirs.
        db.session.rollback()
        return db.session.scalar(sa.select(Conversation).where(Conversation.direct_key == key))
    realtime.conversation_added(conversation.id, [user.id, other.id])
    return conversation


def check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ChatError("invalid", _l("Give the group a name."))
    if len(title) > MAX_TITLE_LENGTH:
        raise ChatError("too_long", _l("The name is too long (120 characters at most)."))
    return title


def do_create_group(user: User, title: str, member_ids) -> Conversation:
    title = check_title(title)
    others = {_active_user(uid).id for uid in member_ids if str(uid) != str(user.id)}
    if len(others) + 1 > MAX_GROUP_MEMBERS:
        raise ChatError("too_many", _l("A group has at most 50 members."))
    conversation = Conversation(kind=Kind.GROUP, title=title, created_by_id=user.id)
    conversation.members = [ConversationMember(user_id=user.id, role=MemberRole.OWNER)] + [
        ConversationMember(user_id=uid) for uid in sorted(others)
    ]
    db.session.add(conversation)
    db.session.flush()
    audit.record(
        "chat.group_created",
        actor=user,
        target_type="conversation",
        target_id=conversation.id,
        members=sorted(others | {user.id}),
    )
    db.session.commit()
    realtime.conversation_added(conversation.id, sorted(others | {user.id}))
    return conversation


def _require_owner(user: User, conversation_id) -> ConversationMember:
    member = require_member(user.id, conversation_id)
    if not member.conversation.is_group:
        raise ChatError("invalid", _l("Direct conversations have no owner."))
    if not member.is_owner:
        raise ChatError("forbidden", _l("Only the group's owners can do this."), 403)
    return member


def do_rename(user: User, conversation_id, title: str) -> Conversation:
    member = _require_owner(user, conversation_id)
    title = check_title(title)
    conversation = member.conversation
    audit.record(
        "chat.group_renamed",
        actor=user,
        target_type="conversation",
        target_id=conversation.id,
        old=conversation.title,
        new=title,
    )
    conversation.title = title
    db.session.commit()
    realtime.conversation_changed(conversation.id, title=title)
    return conversation


def do_add_members(user: User, conversation_id, new_ids) -> list[int]:
    member = _require_owner(user, conversation_id)
    conversation = member.conversation
    present = set(member_ids(conversation.id))
    added = sorted({_active_user(uid).id for uid in new_ids} - present)
    if len(present) + len(added) > MAX_GROUP_MEMBERS:
        raise ChatError("too_many", _l("A group has at most 50 members."))
    for uid in added:
        db.session.add(ConversationMember(conversation_id=conversation.id, user_id=uid))
    if added:
        audit.record(
            "chat.members_added",
            actor=user,
            target_type="conversation",
            target_id=conversation.id,
            members=added,
        )
    db.session.commit()
    if added:
        realtime.conversation_added(conversation.id, added)
        realtime.conversation_changed(conversation.id, members=member_ids(conversation.id))
    return added


def do_remove_member(user: User, conversation_id, removed_id) -> None:
    """An owner removes someone, or anyone leaves; takes effect on open sockets at once."""
    try:
        removed_id = int(removed_id)
    except (TypeError, ValueError):
        raise ChatError("unknown_member", _l("This member cannot be found."), 404) from None
    if removed_id == user.id:
        member = require_member(user.id, conversation_id)
        if not member.conversation.is_group:
            raise ChatError("invalid", _l("You cannot leave a direct conversation."))
    else:
        member = _require_owner(user, conversation_id)
    target = membership(removed_id, member.conversation_id)
    if target is None:
        raise ChatError("unknown_member", _l("This member cannot be found."), 404)
    conversation_id = member.conversation_id
    audit.record(
        "chat.member_removed",
        actor=user,
        target_type="conversation",
        target_id=conversation_id,
        member=removed_id,
    )
    db.session.delete(target)
    db.session.flush()
    remaining = member_ids(conversation_id)
    # A group never stays without an owner: the longest-standing member takes over.
    if remaining and not db.session.scalar(
        sa.select(sa.func.count()).where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.role == MemberRole.OWNER,
        )
    ):
        heir = db.session.scalar(
            sa.select(ConversationMember)
            .where(ConversationMember.conversation_id == conversation_id)
            .order_by(ConversationMember.joined_at, ConversationMember.id)
        )
        heir.role = MemberRole.OWNER
    db.session.commit()
    realtime.member_removed(conversation_id, removed_id)
    realtime.conversation_changed(conversation_id, members=remaining)


# --- messages -----------------------------------------------------------------------


def check_body(body) -> str:
    if not isinstance(body, str):
        raise ChatError("invalid", _l("The message could not be read."))
    body = body.strip()
    if not body:
        raise ChatError("empty", _l("The message is empty."))
    if len(body) > current_app.config["CHAT_MAX_MESSAGE_LENGTH"]:
        raise ChatError(
            "too_long",
            _l(
                "The message is too long (%(limit)s characters at most).",
                limit=current_app.config["CHAT_MAX_MESSAGE_LENGTH"],
            ),
        )
    return body


def check_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH:
        raise ChatError("invalid", _l("The message could not be read."))
    return client_id


def do_send(
    user: User, conversation_id, client_id, body, *, attachment_id: int | None = None
) -> tuple[Message, bool]:
    """Validate, persist, commit, then emit; a repeated client id returns the stored message."""
    client_id = check_client_id(client_id)
    body = check_body(body) if body or attachment_id is None else ""
    member = require_member(user.id, conversation_id)
    now = utcnow()
    message = Message(
        conversation_id=member.conversation_id,
        sender_id=user.id,
        client_id=client_id,
        body=body,
        body_html=render_markdown(body) if body else "",
        attachment_id=attachment_id,
        created_at=now,
    )
    db.session.add(message)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            sa.select(Message).where(
                Message.conversation_id == int(conversation_id),
                Message.sender_id == user.id,
                Message.client_id == client_id,
            )
        )
        if existing is None:  # pragma: no cover - the conflict was something else
            raise
        # Emitted again: a commit whose emit was lost (process died) still reaches the room;
        # clients drop ids they already have.
        realtime.message_created(message_payload(existing))
        return existing, False
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == member.conversation_id)
        .values(last_message_id=message.id, last_message_at=now)
    )
    # The sender has read their own message.
    member.last_read_message_id = message.id
    message.sender = user
    db.session.commit()
    realtime.message_created(message_payload(message))
    return message, True


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
    message.body_html = render_markdown(body)
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
        raise ChatError("invalid", _l("The message could not be read.")) from None
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


def read_markers(conversation_id: int, viewer_id: int) -> dict[int, int]:
    """Other members' read positions, for viewers who share their own (and only theirs)."""
    if not wants_receipts(viewer_id):
        return {}
    rows = db.session.execute(
        sa.select(ConversationMember.user_id, ConversationMember.last_read_message_id)
        .outerjoin(ChatPreference, ChatPreference.user_id == ConversationMember.user_id)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.user_id != viewer_id,
            sa.or_(ChatPreference.read_receipts.is_(None), ChatPreference.read_receipts),
        )
    )
    return {uid: last for uid, last in rows}


def rate_error() -> ChatError:
    return ChatError("rate_limited", _l("You are sending too fast. Wait a moment and retry."), 429)


def internal_error() -> ChatError:
    return ChatError(
        "server_error", _l("Something went wrong; nothing was changed. Try again."), 500
    )
