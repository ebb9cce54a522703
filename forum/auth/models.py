"""Accounts, server-side sessions, login challenges, invitations and recovery codes."""

from __future__ import annotations

import enum
from datetime import datetime

import pycountry
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from forum.countries import state_name
from forum.db_types import UTCDateTime
from forum.db_types import utcnow
from forum.extensions import db


class Role(enum.StrEnum):
    MEMBER = "member"
    FOCAL_POINT = "focal_point"
    MODERATOR = "moderator"
    ADMIN = "admin"


class Status(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


STAFF_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Always stored lower-cased so the unique index is case-insensitive on every database.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    state_code: so.Mapped[str | None] = so.mapped_column(sa.String(2))
    authority_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    role: so.Mapped[str] = so.mapped_column(sa.String(20), default=Role.MEMBER.value)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=Status.INVITED.value)
    preferred_language: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    password_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    totp_secret_encrypted: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    totp_enrolled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Highest TOTP time step ever accepted: a code at or below it is a replay.
    totp_last_step: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    # An e-mail change waits here until the new address confirms it by link.
    pending_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    email_change_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    email_change_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    sessions: so.WriteOnlyMapped[UserSession] = so.relationship(back_populates="user")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @so.validates("email")
    def _validate_email(self, key: str, value: str) -> str:
        return self.normalise_email(value)

    @so.validates("role")
    def _validate_role(self, key: str, value: str) -> str:
        return Role(value).value

    @so.validates("status")
    def _validate_status(self, key: str, value: str) -> str:
        return Status(value).value

    @so.validates("state_code")
    def _validate_state(self, key: str, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if pycountry.countries.get(alpha_2=value) is None:
            raise ValueError(f"unknown ISO 3166 code {value!r}")
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.status == Status.ACTIVE

    @property
    def has_totp(self) -> bool:
        return self.totp_secret_encrypted is not None and self.totp_enrolled_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def state_name(self) -> str:
        """The member's State in the reader's language (English when untranslated)."""
        return state_name(self.state_code)


class UserSession(db.Model):
    """One signed-in browser; the cookie holds only a random token whose hash is stored here."""

    __tablename__ = "user_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # False while the only thing the session may do is enrol a second factor.
    mfa_complete: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    reauthenticated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_reason: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    ip_address: so.Mapped[str] = so.mapped_column(sa.String(45), default="")
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(300), default="")

    user: so.Mapped[User] = so.relationship(back_populates="sessions")


class LoginChallenge(db.Model):
    """The half-way state between the password step and the code step of a login.

    Kept server-side so the browser cannot tell whether its password was right.
    """

    __tablename__ = "login_challenges"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    password_ok: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    invited_by: so.Mapped[User | None] = so.relationship(foreign_keys=[invited_by_id])

    def is_usable(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if utcnow() >= self.expires_at:
            return "expired"
        return "pending"


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user: so.Mapped[User] = so.relationship()
