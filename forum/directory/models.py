"""States, entries (one per authority), contact persons, revisions, reminders, resources."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.auth.models import User
from forum.countries import state_name
from forum.db_types import UTCDateTime
from forum.db_types import utcnow
from forum.extensions import db


def newest_check(updated_at: datetime | None, verified_at: datetime | None) -> datetime | None:
    """When a State or entry was last known right: its newest update or confirmation."""
    dates = [d for d in (updated_at, verified_at) if d]
    return max(dates) if dates else None


class CodeList(sa.types.TypeDecorator):
    """A list of short codes stored as ",a,b," so ``LIKE '%,a,%'`` finds one on any database."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        codes = [code for code in (value or []) if code]
        return "," + ",".join(codes) + "," if codes else ""

    def process_result_value(self, value, dialect):
        return [code for code in (value or "").split(",") if code]


def code_list_contains(column, code: str):
    """SQL condition: the CodeList column holds ``code``."""
    return sa.cast(column, sa.Text).like(f"%,{code},%")


class State(db.Model):
    __tablename__ = "directory_states"

    code: so.Mapped[str] = so.mapped_column(sa.String(2), primary_key=True)
    alpha3: so.Mapped[str] = so.mapped_column(sa.String(3))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    # New States are for members only until their focal point or a moderator opens them.
    visibility: so.Mapped[str] = so.mapped_column(sa.String(10), default="members", index=True)
    last_updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    last_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # State profile (optional section).
    mla_requirements: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    extradition_requirements: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    convention_basis_mla: so.Mapped[str] = so.mapped_column(sa.String(3), default="")
    convention_basis_extradition: so.Mapped[str] = so.mapped_column(sa.String(3), default="")
    # One "label | https://…" per line.
    law_links: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # JSON list of {"title", "kind", "partners": [alpha-2…], "date"}.
    treaties_json: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"

    @property
    def display_name(self) -> str:
        """The name in the reader's language; ``name`` (English) is the stored reference."""
        return state_name(self.code, self.name)

    @property
    def treaties(self) -> list[dict]:
        return json.loads(self.treaties_json or "[]")

    @property
    def links(self) -> list[tuple[str, str]]:
        pairs = []
        for line in (self.law_links or "").splitlines():
            label, _, url = line.rpartition("|")
            pairs.append(((label or url).strip(), url.strip()))
        return pairs

    @property
    def checked_at(self) -> datetime | None:
        return newest_check(self.last_updated_at, self.last_verified_at)

    @property
    def has_profile(self) -> bool:
        return bool(
            self.mla_requirements
            or self.extradition_requirements
            or self.convention_basis_mla
            or self.convention_basis_extradition
            or self.law_links
            or self.treaties
        )


class Entry(db.Model):
    """One authority's directory record."""

    __tablename__ = "directory_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    state_code: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("directory_states.code"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    designations: so.Mapped[list[str]] = so.mapped_column(CodeList(), default=list)
    designation_other: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    postal_address: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    phones: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    fax: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    emails: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    website: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    office_hours: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    time_zone: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    languages: so.Mapped[list[str]] = so.mapped_column(CodeList(), default=list)
    channels: so.Mapped[list[str]] = so.mapped_column(CodeList(), default=list)
    channel_other: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    urgent_procedure: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    contact_24_7: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    e_signature_accepted: so.Mapped[str] = so.mapped_column(sa.String(3), default="")
    encryption_required: so.Mapped[str] = so.mapped_column(sa.String(3), default="")
    originals_required: so.Mapped[str] = so.mapped_column(sa.String(3), default="")
    transmission_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Lower-cased name, address and notes: what the search box looks in.
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Deleted entries keep their history and can be restored from it.
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    state: so.Mapped[State] = so.relationship()
    contacts: so.Mapped[list[ContactPerson]] = so.relationship(
        back_populates="entry",
        order_by="(ContactPerson.is_deputy, ContactPerson.id)",
        cascade="all, delete-orphan",
    )

    @property
    def checked_at(self) -> datetime | None:
        return newest_check(self.last_updated_at, self.last_verified_at)

    @property
    def phone_list(self) -> list[str]:
        return [line.strip() for line in self.phones.splitlines() if line.strip()]

    @property
    def email_list(self) -> list[str]:
        return [line.strip() for line in self.emails.splitlines() if line.strip()]

    def refresh_search_text(self) -> None:
        parts = [self.name, self.postal_address, self.notes, self.designation_other]
        self.search_text = " ".join(part for part in parts if part).lower()


class ContactPerson(db.Model):
    __tablename__ = "directory_contacts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    entry_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("directory_entries.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    phone: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    languages: so.Mapped[list[str]] = so.mapped_column(CodeList(), default=list)
    is_deputy: so.Mapped[bool] = so.mapped_column(default=False)
    # The member account of this person, when they have one.
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)

    entry: so.Mapped[Entry] = so.relationship(back_populates="contacts")
    user: so.Mapped[User | None] = so.relationship()


class Revision(db.Model):
    """One change to an entry or a State profile: who, when, what changed, and the result."""

    __tablename__ = "directory_revisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    state_code: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("directory_states.code"), index=True
    )
    # None for the State profile.
    entry_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("directory_entries.id"), index=True
    )
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # Full record after the change, and [[field, old, new], …].
    snapshot_json: so.Mapped[str] = so.mapped_column(sa.Text)
    changes_json: so.Mapped[str] = so.mapped_column(sa.Text, default="[]")
    restored_from_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)

    actor: so.Mapped[User | None] = so.relationship()
    entry: so.Mapped[Entry | None] = so.relationship()

    @property
    def snapshot(self) -> dict:
        return json.loads(self.snapshot_json)

    @property
    def changes(self) -> list[list]:
        return json.loads(self.changes_json)


class Reminder(db.Model):
    """A reminder e-mail sent to a State's focal points (at most one per interval)."""

    __tablename__ = "directory_reminders"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    state_code: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("directory_states.code"), index=True
    )
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    reason: so.Mapped[str] = so.mapped_column(sa.String(20))
    recipients: so.Mapped[int] = so.mapped_column(default=0)


class Resource(db.Model):
    """A curated link or document in the resources library, managed by moderators.

    A document is a file in the shared attachment store (``attachments`` table, owned by
    discussions); it is served only through the library's own members-only route.
    """

    __tablename__ = "directory_resources"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    url: so.Mapped[str] = so.mapped_column(sa.String(500))
    category: so.Mapped[str] = so.mapped_column(sa.String(20))
    language: so.Mapped[str] = so.mapped_column(sa.String(2))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    attachment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("attachments.id"), index=True
    )

    # By name: the Attachment model belongs to discussions' attachment store.
    document = so.relationship("Attachment", lazy="joined")
