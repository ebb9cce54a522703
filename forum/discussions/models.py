"""Categories, private spaces, threads, posts and their revisions, attachments and flags.

Post bodies are stored twice: the Markdown the author wrote (``body``) and the sanitised
HTML rendered from it once, at write time (``html``), so reading a thread never renders.
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


class ThreadKind(enum.StrEnum):
    DISCUSSION = "discussion"
    CASE = "case"


class SpaceRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class Category(db.Model):
    __tablename__ = "categories"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


class Space(db.Model):
    """A private area: its threads exist only for its members (and, read-only, for staff)."""

    __tablename__ = "spaces"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # After this moment members lose access; moderators keep read-only access.
    ends_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at is not None and (now or utcnow()) >= self.ends_at


class SpaceMember(db.Model):
    __tablename__ = "space_members"
    __table_args__ = (sa.UniqueConstraint("space_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    space_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("spaces.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20), default=SpaceRole.MEMBER.value)
    added_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        sa.Index("ix_threads_category_activity", "category_id", "pinned", "last_post_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default=ThreadKind.DISCUSSION.value)
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("categories.id"))
    space_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("spaces.id"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_post_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Number of the last post; posts are numbered 1, 2, 3… within their thread.
    post_count: so.Mapped[int] = so.mapped_column(default=0)
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    locked: so.Mapped[bool] = so.mapped_column(default=False)
    hidden: so.Mapped[bool] = so.mapped_column(default=False)

    category: so.Mapped[Category] = so.relationship()
    space: so.Mapped[Space | None] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()
    case: so.Mapped[CaseExample | None] = so.relationship(back_populates="thread")


class CaseExample(db.Model):
    """The structured fields of a case-example thread."""

    __tablename__ = "case_examples"

    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("threads.id"), primary_key=True)
    cooperation_type: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    requesting_state: so.Mapped[str | None] = so.mapped_column(sa.String(2), index=True)
    requested_state: so.Mapped[str | None] = so.mapped_column(sa.String(2), index=True)
    legal_basis: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    legal_basis_detail: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    offence: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    outcome: so.Mapped[str] = so.mapped_column(sa.String(20), index=True)
    duration_months: so.Mapped[int | None] = so.mapped_column()
    lessons_learned: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    thread: so.Mapped[Thread] = so.relationship(back_populates="case")


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (sa.UniqueConstraint("thread_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("threads.id"))
    number: so.Mapped[int] = so.mapped_column()
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    quote_of_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("posts.id"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    html: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    edit_count: so.Mapped[int] = so.mapped_column(default=0)
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    hidden_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    hidden_reason: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    thread: so.Mapped[Thread] = so.relationship()
    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    attachments: so.Mapped[list[Attachment]] = so.relationship(
        back_populates="post", order_by="Attachment.id"
    )

    @property
    def is_visible_to_all(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(db.Model):
    """The text a post had before one edit: who changed it, when, and from what."""

    __tablename__ = "post_revisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id"), index=True)
    editor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    body_before: so.Mapped[str] = so.mapped_column(sa.Text)
    body_after: so.Mapped[str] = so.mapped_column(sa.Text)

    editor: so.Mapped[User | None] = so.relationship()


class Attachment(db.Model):
    """A stored upload. Owner-agnostic: posts link it through ``post_id``; other areas may
    add their own link. The file lives outside the web root under ``stored_name``."""

    __tablename__ = "attachments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uploader_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    post_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("posts.id"), index=True)
    original_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    post: so.Mapped[Post | None] = so.relationship(back_populates="attachments")


class Flag(db.Model):
    """A member's report of a post, waiting in the moderation queue until resolved."""

    __tablename__ = "flags"
    __table_args__ = (sa.UniqueConstraint("post_id", "reporter_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    post_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("posts.id"), index=True)
    reporter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(1000))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    resolution: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    post: so.Mapped[Post] = so.relationship()
    reporter: so.Mapped[User] = so.relationship(foreign_keys=[reporter_id])


class SubscriptionLevel(enum.StrEnum):
    WATCH = "watch"
    MUTE = "mute"


class Subscription(db.Model):
    """Watch or mute one thread or one whole category."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "thread_id", name="uq_subscriptions_user_thread"),
        sa.UniqueConstraint("user_id", "category_id", name="uq_subscriptions_user_category"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    thread_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("threads.id"), index=True)
    category_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("categories.id"), index=True
    )
    level: so.Mapped[str] = so.mapped_column(sa.String(10), default=SubscriptionLevel.WATCH.value)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


class NotificationKind(enum.StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    QUOTE = "quote"
    NEW_THREAD = "new_thread"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("threads.id"), index=True)
    post_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("posts.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Set once the notification went out by e-mail, alone or in a digest.
    emailed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    actor: so.Mapped[User | None] = so.relationship(foreign_keys=[actor_id])
    thread: so.Mapped[Thread] = so.relationship()
    post: so.Mapped[Post | None] = so.relationship()


class EmailMode(enum.StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"


class NotificationSetting(db.Model):
    """How one user wants notifications by e-mail; no row means the default (daily)."""

    __tablename__ = "notification_settings"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    email_mode: so.Mapped[str] = so.mapped_column(sa.String(20), default=EmailMode.DAILY.value)
    last_digest_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())


class ThreadRead(db.Model):
    """How far one user has read one thread: the basis for unread marks and 'new' views."""

    __tablename__ = "thread_reads"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    thread_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("threads.id"), primary_key=True)
    last_read_number: so.Mapped[int] = so.mapped_column(default=0)
    last_visit_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
