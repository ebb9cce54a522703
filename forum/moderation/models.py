"""Membership records: applications, suspensions, private notices, yearly State reviews."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.auth.models import User
from forum.db_types import UTCDateTime
from forum.db_types import utcnow
from forum.extensions import db


class ApplicationStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # e-mail address not proven yet: not in any queue
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Application(db.Model):
    """A request for access from someone outside the network."""

    __tablename__ = "membership_applications"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    state_code: so.Mapped[str] = so.mapped_column(sa.String(2), index=True)
    authority_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    function: so.Mapped[str] = so.mapped_column(sa.String(200))
    motivation: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(
        sa.String(20), default=ApplicationStatus.UNCONFIRMED.value, index=True
    )
    confirm_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    confirm_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    ip_address: so.Mapped[str] = so.mapped_column(sa.String(45), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    vouched_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    vouched_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decision_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    vouched_by: so.Mapped[User | None] = so.relationship(foreign_keys=[vouched_by_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])

    @property
    def state_name(self) -> str:
        """The applicant's State in the reader's language (English when untranslated)."""
        from forum.countries import state_name

        return state_name(self.state_code)


class Suspension(db.Model):
    """One suspension of a member: until a date, or until a moderator lifts it."""

    __tablename__ = "member_suspensions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    lifted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    lifted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])


class Notice(db.Model):
    """A private message from the moderators to one member (e.g. a warning about a post)."""

    __tablename__ = "member_notices"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])


class StateReview(db.Model):
    """The yearly question to a State's focal points: are these members still in post?"""

    __tablename__ = "state_reviews"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    state_code: so.Mapped[str] = so.mapped_column(sa.String(2), index=True)
    requested_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    completed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    # Members the focal point reported as gone, for a moderator to deactivate.
    departed_ids: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    completed_by: so.Mapped[User | None] = so.relationship()
