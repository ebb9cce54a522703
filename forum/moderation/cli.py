"""``flask members review``: the yearly re-vetting and the daily housekeeping, for cron."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from forum.auth.models import Status
from forum.auth.models import User
from forum.extensions import db

members_cli = AppGroup("members", help="Keep membership current (run daily from cron).")


@members_cli.command("review")
def review() -> None:
    """Ask focal points to confirm their State's members once a year; report inactive members.

    Also ends suspensions whose end date has passed.
    """
    from forum.moderation.member_routes import inactive_cutoff
    from forum.moderation.members import lift_expired_suspensions
    from forum.moderation.reviews import open_due_reviews

    lifted = lift_expired_suspensions()
    opened = open_due_reviews()
    cutoff = inactive_cutoff()
    inactive = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.status == Status.ACTIVE,
            sa.or_(User.last_seen_at.is_(None), User.last_seen_at < cutoff),
        )
    )
    click.echo(f"Suspensions ended: {lifted}")
    click.echo(
        "Reviews requested: "
        + (", ".join(review.state_code for review in opened) if opened else "none")
    )
    click.echo(f"Active members not seen since {cutoff:%Y-%m-%d}: {inactive} (flagged on the page)")
