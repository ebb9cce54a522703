"""Who sees and who edits what in the directory.

Anonymous visitors see public States only, and never contact persons; signed-in members
see every State. A restricted State is answered exactly like a State that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import abort
from flask import current_app

from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.directory.models import Entry
from forum.directory.models import State
from forum.extensions import db


def is_member(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def visible_states_condition(user):
    """SQL condition on State for what ``user`` (or an anonymous visitor) may see."""
    if is_member(user):
        return sa.true()
    return State.visibility == "public"


def can_see_contacts(user) -> bool:
    return is_member(user)


def visible_state_or_404(code: str, user) -> State:
    """The State, or the same 404 for an unknown code and for a State the user may not see."""
    state = db.session.get(State, code.upper()) if len(code) == 2 and code.isalpha() else None
    if state is None or not (is_member(user) or state.is_public):
        abort(404)
    return state


def can_edit_state(user, state: State) -> bool:
    """Focal points edit their own State; moderators and admins edit every State."""
    if not is_member(user):
        return False
    if user.role in (Role.MODERATOR, Role.ADMIN):
        return True
    return user.role == Role.FOCAL_POINT and user.state_code == state.code


def editable_state_or_403(code: str, user) -> State:
    state = visible_state_or_404(code, user)
    if not can_edit_state(user, state):
        abort(403)
    return state


def live_entry_or_404(entry_id: int, user) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.deleted_at is not None:
        abort(404)
    visible_state_or_404(entry.state_code, user)
    return entry


def focal_points(state_code: str) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == Role.FOCAL_POINT,
                User.state_code == state_code,
                User.status == Status.ACTIVE,
            )
            .order_by(User.display_name)
        )
    )


def stale_after() -> timedelta:
    return timedelta(days=current_app.config.get("DIRECTORY_STALE_DAYS", 182))


def stale_cutoff() -> datetime:
    """Anything last checked before this instant is stale."""
    return utcnow() - stale_after()


def is_stale(checked_at, cutoff: datetime | None = None) -> bool:
    """``cutoff`` (:func:`stale_cutoff`) may be taken once for a page of rows."""
    return checked_at is None or checked_at < (cutoff or stale_cutoff())
