"""Conversations: starting a direct one, groups and their membership.

``check_*`` validate, ``do_*`` write with the audit entry, commit once, then emit, so
sockets hear only about what is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum.auth.models import Status
from forum.auth.models import User
from forum.chat import realtime
from forum.chat.errors import ChatError
from forum.chat.errors import unknown_member
from forum.chat.models import Conversation
from forum.chat.models import ConversationMember
from forum.chat.models import Kind
from forum.chat.models import MemberRole
from forum.chat.queries import member_ids
from forum.chat.queries import membership
from forum.chat.queries import require_member
from forum.extensions import db
from forum.security import audit

MAX_GROUP_MEMBERS = 50
MAX_TITLE_LENGTH = 120


def _active_user(user_id) -> User:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or user.status != Status.ACTIVE:
        raise unknown_member()
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
        raise unknown_member() from None
    if removed_id == user.id:
        member = require_member(user.id, conversation_id)
        if not member.conversation.is_group:
            raise ChatError("invalid", _l("You cannot leave a direct conversation."))
    else:
        member = _require_owner(user, conversation_id)
    target = membership(removed_id, member.conversation_id)
    if target is None:
        raise unknown_member()
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
