"""Conversations, their members, and messages.

A message is identified by its server id: order within a conversation is id order, and a
client's own ``client_id`` makes a resent message land once (unique per sender and
conversation).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.auth.models import User
from forum.db_types import UTCDateTime
from forum.db_types import utcnow
from forum.extensions import db


class Kind(enum.StrEnum):
    DIRECT = "direct"
    GROUP = "group"


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class Conversation(db.Model):
    __tablename__ = "chat_conversations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), default=Kind.DIRECT.value)
    title: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    # "<lower user id>:<higher user id>" for a direct conversation, so each pair has one.
    direct_key: so.Mapped[str | None] = so.mapped_column(sa.String(40), unique=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Denormalised for the conversation list (newest activity first) without a scan.
    last_message_id: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    last_message_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), index=True)

    members: so.Mapped[list[ConversationMember]] = so.relationship(
        back_populates="conversation", cascade="all, delete-orphan"
    )

    @property
    def is_group(self) -> bool:
        return self.kind == Kind.GROUP


class ConversationMember(db.Model):
    __tablename__ = "chat_members"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("chat_conversations.id", ondelete="CASCADE")
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(10), default=MemberRole.MEMBER.value)
    joined_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Highest message id this member has read; unread = newer messages from others.
    last_read_message_id: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    # Offline e-mail: at most one per conversation per hour (CHAT_OFFLINE_NOTICE_INTERVAL).
    last_notice_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    notified_up_to_id: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)

    conversation: so.Mapped[Conversation] = so.relationship(back_populates="members")
    user: so.Mapped[User] = so.relationship()

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER


class Message(db.Model):
    __tablename__ = "chat_messages"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "sender_id", "client_id"),
        sa.Index("ix_chat_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("chat_conversations.id", ondelete="CASCADE")
    )
    sender_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Rendered and sanitised once, at write time, so history pages do no Markdown work.
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # A file from the shared attachment store (forum.discussions.attachments); its name is
    # kept here so history pages show it without a query per message.
    attachment_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    attachment_name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    sender: so.Mapped[User] = so.relationship()


class ChatPreference(db.Model):
    """Per-user chat settings; absent means the defaults."""

    __tablename__ = "chat_preferences"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    # Off: this user's reads are not announced, and they do not see others' receipts.
    read_receipts: so.Mapped[bool] = so.mapped_column(default=True)
