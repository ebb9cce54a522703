"""Keeping membership current: suspend, reactivate, change role, deactivate, warn.

Each ``do_*`` checks who may act on whom, writes one audit entry in the same transaction,
commits once, and only then tells the real-time layer to drop the user's sockets.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import ActionError
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.sessions import revoke_all
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import Notice
from forum.moderation.models import Suspension
from forum.moderation.rules import GRANTABLE_ROLES
from forum.moderation.rules import can_manage
from forum.security import audit
from forum.security.signals import access_revoked


def _check(actor: User, user: User, reason: str) -> str:
    if not can_manage(actor, user):
        raise ActionError(_("You may not act on this account."), 403)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("Give a reason."))
    return reason


def _cut_off(user: User, why: str) -> None:
    """After the commit: every open socket of ``user`` is closed by the chat layer."""
    access_revoked(current_app._get_current_object(), user.id, why)


def do_suspend(actor: User, user: User, reason: str, until: datetime | None = None) -> Suspension:
    reason = _check(actor, user, reason)
    if user.status != Status.ACTIVE:
        raise ActionError(_("Only an active account can be suspended."), 409)
    if until is not None and until <= utcnow():
        raise ActionError(_("The end of the suspension must be in the future."))
    suspension = Suspension(user_id=user.id, created_by_id=actor.id, reason=reason, until=until)
    db.session.add(suspension)
    user.status = Status.SUSPENDED
    ended = revoke_all(user, "suspended")
    db.session.flush()
    audit.record(
        "member.suspended",
        actor=actor,
        target=user,
        reason=reason,
        until=until.isoformat() if until else None,
        sessions_ended=ended,
    )
    db.session.commit()
    _cut_off(user, "suspended")
    return suspension


def _lift_open_suspensions(user: User, lifted_by: User | None) -> None:
    db.session.execute(
        sa.update(Suspension)
        .where(Suspension.user_id == user.id, Suspension.lifted_at.is_(None))
        .values(lifted_at=utcnow(), lifted_by_id=lifted_by.id if lifted_by else None)
    )


def do_reactivate(actor: User, user: User, reason: str) -> None:
    reason = _check(actor, user, reason)
    if user.status not in (Status.SUSPENDED, Status.DEACTIVATED):
        raise ActionError(_("This account is not suspended or deactivated."), 409)
    previous = user.status
    user.status = Status.ACTIVE
    _lift_open_suspensions(user, actor)
    audit.record("member.reactivated", actor=actor, target=user, reason=reason, was=previous)
    db.session.commit()


def lift_expired_suspensions() -> int:
    """Reactivate members whose suspension end date has passed (run by ``flask members``)."""
    now = utcnow()
    due = db.session.scalars(
        sa.select(Suspension).where(
            Suspension.lifted_at.is_(None), Suspension.until.is_not(None), Suspension.until <= now
        )
    ).all()
    count = 0
    for suspension in due:
        suspension.lifted_at = now
        if suspension.user.status == Status.SUSPENDED:
            suspension.user.status = Status.ACTIVE
            audit.record("member.suspension_expired", target=suspension.user)
            count += 1
    db.session.commit()
    return count


def do_change_role(actor: User, user: User, role: str, reason: str) -> None:
    reason = _check(actor, user, reason)
    try:
        new_role = Role(role)
    except ValueError:
        raise ActionError(_("Unknown role.")) from None
    allowed = GRANTABLE_ROLES.get(Role(actor.role), set())
    if new_role not in allowed or Role(user.role) not in allowed:
        raise ActionError(_("Only an administrator may grant or remove this role."), 403)
    if new_role == user.role:
        raise ActionError(_("The account already has this role."), 409)
    if new_role == Role.FOCAL_POINT and not user.state_code:
        raise ActionError(_("A focal point belongs to a State: this account has none."))
    previous = user.role
    user.role = new_role
    audit.record(
        "member.role_changed", actor=actor, target=user, reason=reason, old=previous, new=new_role
    )
    db.session.commit()


def do_deactivate(actor: User, user: User, reason: str) -> None:
    """Departure: the account stays for the record but can no longer sign in."""
    reason = _check(actor, user, reason)
    if user.status == Status.DEACTIVATED:
        raise ActionError(_("This account is already deactivated."), 409)
    user.status = Status.DEACTIVATED
    _lift_open_suspensions(user, actor)
    ended = revoke_all(user, "deactivated")
    audit.record(
        "member.deactivated", actor=actor, target=user, reason=reason, sessions_ended=ended
    )
    db.session.commit()
    _cut_off(user, "deactivated")


def do_send_notice(
    actor: User,
    user: User,
    subject: str,
    body: str,
    *,
    action: str | None,
    details: dict | None = None,
) -> Notice:
    """A private notice (e.g. a warning): kept in the app for the member and e-mailed.

    ``action=None`` when the notice only tells the member about a decision that is already
    audited under its own name (a hidden post, a locked thread). ``details`` go into the
    audit entry, with whatever the caller staged in the same transaction (e.g. flag ids).
    """
    if not actor.is_staff:
        raise ActionError(_("Only moderators send notices."), 403)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise ActionError(_("Write the notice: a subject and a message."))
    notice = Notice(user_id=user.id, created_by_id=actor.id, subject=subject, body=body)
    db.session.add(notice)
    db.session.flush()
    if action:
        audit.record(
            action,
            actor=actor,
            target=user,
            notice_id=notice.id,
            subject=subject,
            **(details or {}),
        )
    db.session.commit()
    mail.send(user.email, subject, "member_notice", user=user, notice=notice)
    return notice


def do_mark_notices_read(user: User) -> None:
    db.session.execute(
        sa.update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()


def unread_notice_query(user: User) -> sa.Select:
    return sa.select(sa.func.count(Notice.id)).where(
        Notice.user_id == user.id, Notice.read_at.is_(None)
    )


def unread_notice_count(user: User) -> int:
    return db.session.scalar(unread_notice_query(user))


def directory_contacts_for(user: User) -> list | None:
    """Directory contact roles held by ``user``, if the directory offers that lookup.

    Returns None while the directory exposes no ``contacts_for_user(user)`` function.
    """
    import importlib

    for module_name in ("forum.directory.actions", "forum.directory.services"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        finder = getattr(module, "contacts_for_user", None)
        if finder is not None:
            return list(finder(user))
    return None
