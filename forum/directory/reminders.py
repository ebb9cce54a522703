"""Staleness per State, and reminder e-mails to focal points (at most once per interval)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import external_url
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.directory.models import Entry
from forum.directory.models import Reminder
from forum.directory.models import State
from forum.directory.policy import is_stale
from forum.extensions import db
from forum.security import audit

# Ordered from most to least urgent.
STATUSES = ("no_focal_point", "empty", "never_verified", "stale", "fresh")


@dataclass
class Staleness:
    state: State
    entries: int
    focal_points: list
    last_reminded_at: object

    @property
    def status(self) -> str:
        if not self.focal_points:
            return "no_focal_point"
        if not self.entries:
            return "empty"
        if self.state.last_verified_at is None and self.state.last_updated_at is None:
            return "never_verified"
        if is_stale(self.state.checked_at):
            return "stale"
        return "fresh"

    @property
    def needs_reminder(self) -> bool:
        return self.focal_points and self.status in ("empty", "never_verified", "stale")


def staleness_report() -> list[Staleness]:
    """One row per State, in four queries whatever the number of States."""
    counts = dict(
        db.session.execute(
            sa.select(Entry.state_code, sa.func.count(Entry.id))
            .where(Entry.deleted_at.is_(None))
            .group_by(Entry.state_code)
        ).all()
    )
    people: dict[str, list] = {}
    for user in db.session.scalars(
        sa.select(User)
        .where(User.role == Role.FOCAL_POINT, User.status == Status.ACTIVE)
        .order_by(User.display_name)
    ):
        people.setdefault(user.state_code, []).append(user)
    reminded = dict(
        db.session.execute(
            sa.select(Reminder.state_code, sa.func.max(Reminder.sent_at)).group_by(
                Reminder.state_code
            )
        ).all()
    )
    return [
        Staleness(
            state=state,
            entries=counts.get(state.code, 0),
            focal_points=people.get(state.code, []),
            last_reminded_at=reminded.get(state.code),
        )
        for state in db.session.scalars(sa.select(State).order_by(State.name))
    ]


def interval() -> timedelta:
    return timedelta(days=current_app.config.get("DIRECTORY_REMINDER_INTERVAL_DAYS", 30))


def send_reminders() -> list[tuple[str, int]]:
    """E-mail the focal points of each stale or empty State not reminded within the interval.

    Each reminder is recorded (and audited) in the same commit as its State's check, so a
    second run within the interval sends nothing.
    """
    sent = []
    cutoff = utcnow() - interval()
    for row in staleness_report():
        if not row.needs_reminder:
            continue
        if row.last_reminded_at is not None and row.last_reminded_at > cutoff:
            continue
        link = external_url("directory.state_page", code=row.state.code)
        for person in row.focal_points:
            with force_locale(person.preferred_language or "en"):
                mail.send(
                    person.email,
                    _(
                        "Please check the directory section of %(state)s",
                        state=row.state.display_name,
                    ),
                    "directory_reminder",
                    user=person,
                    state=row.state,
                    status=row.status,
                    link=link,
                )
        db.session.add(
            Reminder(state_code=row.state.code, reason=row.status, recipients=len(row.focal_points))
        )
        audit.record(
            "directory.reminder_sent",
            target_type="state",
            target_id=row.state.code,
            reason=row.status,
            recipients=len(row.focal_points),
        )
        db.session.commit()
        sent.append((row.state.code, len(row.focal_points)))
    return sent
