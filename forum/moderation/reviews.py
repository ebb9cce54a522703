"""Yearly re-vetting: each State's focal points confirm their members are still in post.

``flask members review`` (daily from cron) opens a review for every State whose last one is
older than ``MEMBERS_REVIEW_DAYS`` (365) and mails its focal points. Members the focal point
reports as gone are flagged on the moderators' members page until deactivated.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import ActionError
from forum.auth.actions import external_url
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import StateReview
from forum.moderation.rules import is_focal_point_of
from forum.security import audit


def _interval() -> timedelta:
    return timedelta(days=current_app.config.get("MEMBERS_REVIEW_DAYS", 365))


def state_members(state_code: str) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.state_code == state_code, User.status == Status.ACTIVE)
            .order_by(User.display_name, User.id)
        )
    )


def open_due_reviews() -> list[StateReview]:
    """Open (and announce) a review for every State with focal points that is due one."""
    cutoff = utcnow() - _interval()
    focal_points = db.session.scalars(
        sa.select(User).where(User.role == Role.FOCAL_POINT, User.status == Status.ACTIVE)
    ).all()
    by_state: dict[str, list[User]] = {}
    for person in focal_points:
        if person.state_code:
            by_state.setdefault(person.state_code, []).append(person)
    recent = set(
        db.session.scalars(
            sa.select(StateReview.state_code).where(StateReview.requested_at > cutoff)
        )
    )
    opened = []
    for state_code in sorted(by_state):
        if state_code in recent:
            continue
        review = StateReview(state_code=state_code)
        db.session.add(review)
        db.session.flush()
        audit.record("review.requested", target=review, state=state_code)
        opened.append((review, by_state[state_code]))
    db.session.commit()
    for review, people in opened:
        link = external_url("moderation.review_detail", review_id=review.id)
        for person in people:
            with force_locale(person.preferred_language or "en"):
                mail.send(
                    person.email,
                    _("Please confirm your State's Liaison members"),
                    "review_request",
                    user=person,
                    review=review,
                    link=link,
                    count=len(state_members(review.state_code)),
                )
    return [review for review, _people in opened]


def departed_member_ids() -> set[int]:
    """Members reported as gone by a focal point in the current review period."""
    cutoff = utcnow() - _interval()
    found: set[int] = set()
    for text in db.session.scalars(
        sa.select(StateReview.departed_ids).where(
            StateReview.completed_at.is_not(None), StateReview.completed_at > cutoff
        )
    ):
        found.update(int(part) for part in text.split(",") if part.strip().isdigit())
    return found


def check_can_review(user, review: StateReview) -> None:
    if not (user.is_staff or is_focal_point_of(user, review.state_code)):
        raise ActionError(_("Only this State's focal points review its members."), 403)


def do_complete_review(user, review: StateReview, departed: list[int]) -> None:
    if not is_focal_point_of(user, review.state_code):
        raise ActionError(_("Only this State's focal points review its members."), 403)
    if review.completed_at is not None:
        raise ActionError(_("This review has already been completed."), 409)
    allowed = {member.id for member in state_members(review.state_code)}
    departed = sorted(set(departed) & allowed)
    review.completed_at = utcnow()
    review.completed_by_id = user.id
    review.departed_ids = ",".join(str(i) for i in departed)
    audit.record(
        "review.completed",
        actor=user,
        target=review,
        confirmed=len(allowed) - len(departed),
        departed=departed,
    )
    db.session.commit()
