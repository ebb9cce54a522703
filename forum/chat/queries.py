"""Reading chat state: memberships, history, catch-up, unread counts, search.

Every read that names a conversation goes through :func:`require_member` (or joins on the
viewer's membership), so a conversation one is not in answers "not found".
"""

from __future__ import annotations

import pycountry
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum.auth.models import Status
from forum.auth.models import User
from forum.chat.errors import not_found
from forum.chat.models import ChatPreference
from forum.chat.models import Conversation
from forum.chat.models import ConversationMember
from forum.chat.models import Message
from forum.extensions import db

PAGE_SIZE = 50
CATCH_UP_LIMIT = 500


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
        raise not_found()
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


def _unread_from_others(statement: sa.Select, user_id: int) -> sa.Select:
    """Restrict ``statement`` to messages from others after the user's read marker: the one
    definition of "unread" that the per-conversation badges and the header total share."""
    me = ConversationMember
    return statement.join(
        me,
        sa.and_(me.conversation_id == Message.conversation_id, me.user_id == user_id),
    ).where(
        Message.id > me.last_read_message_id,
        Message.sender_id != user_id,
        Message.deleted_at.is_(None),
    )


def unread_counts(user_id: int) -> dict[int, int]:
    """Unread messages from others per conversation, in one query."""
    rows = db.session.execute(
        _unread_from_others(
            sa.select(Message.conversation_id, sa.func.count(Message.id)), user_id
        ).group_by(Message.conversation_id)
    )
    return {conversation_id: count for conversation_id, count in rows}


def total_unread_query(user_id: int) -> sa.Select:
    """Unread messages from others over all conversations (what ``unread_counts`` sums)."""
    return _unread_from_others(sa.select(sa.func.count(Message.id)), user_id)


def total_unread(user_id: int) -> int:
    return db.session.scalar(total_unread_query(user_id))


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
        "attachment_name": "" if deleted else message.attachment_name,
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
