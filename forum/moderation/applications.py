"""Requests for access: submit, confirm the address, vouch, approve (→ invitation), reject.

The two-person rule (``APPLICATIONS_TWO_PERSON_RULE``, on by default): when the applicant's
State has an active focal point, a moderator may approve only after that focal point vouched.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask import has_request_context
from flask import request
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import ActionError
from forum.auth.actions import external_url
from forum.auth.actions import find_user_by_email
from forum.auth.invitations import prepare_invitation
from forum.auth.invitations import send_invitation
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import Application
from forum.moderation.models import ApplicationStatus
from forum.moderation.rules import is_focal_point_of
from forum.security import audit
from forum.security.crypto import new_token
from forum.security.crypto import token_hash
from forum.security.timing import takes_at_least_configured_time

CONFIRM_LIFETIME = timedelta(hours=48)


def email_domain(email: str) -> str:
    return User.normalise_email(email or "").rpartition("@")[2][:253]


@takes_at_least_configured_time
def do_submit_application(
    *,
    email: str,
    display_name: str,
    state_code: str,
    authority_name: str,
    function: str,
    motivation: str,
) -> None:
    """Store the request unconfirmed and mail a confirmation link; answer the same either way.

    An address that already has an account gets no link, so the page reveals nothing.
    """
    email = User.normalise_email(email)
    if find_user_by_email(email) is not None:
        return
    waiting = db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(
            Application.email == email, Application.status == ApplicationStatus.PENDING
        )
    )
    if waiting:
        return  # one request in the queue per address is enough
    # An earlier unconfirmed request is replaced: only the newest link works.
    db.session.execute(
        sa.delete(Application).where(
            Application.email == email, Application.status == ApplicationStatus.UNCONFIRMED
        )
    )
    token = new_token()
    application = Application(
        email=email,
        display_name=display_name.strip(),
        state_code=state_code,
        authority_name=authority_name.strip(),
        function=function.strip(),
        motivation=motivation.strip(),
        status=ApplicationStatus.UNCONFIRMED,
        confirm_token_hash=token_hash(token),
        confirm_expires_at=utcnow() + CONFIRM_LIFETIME,
        ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
    )
    db.session.add(application)
    db.session.flush()
    audit.record("application.submitted", target=application, email=email, state=state_code)
    db.session.commit()
    mail.send(
        email,
        _("Confirm your request for access to Liaison"),
        "application_confirm",
        application=application,
        link=external_url("membership.confirm_application", token=token),
    )


def find_unconfirmed(token: str) -> Application | None:
    application = db.session.scalar(
        sa.select(Application).where(Application.confirm_token_hash == token_hash(token))
    )
    if (
        application is None
        or application.status != ApplicationStatus.UNCONFIRMED
        or application.confirm_expires_at is None
        or utcnow() >= application.confirm_expires_at
    ):
        return None
    return application


def do_confirm_application(application: Application) -> None:
    """The address is proven: the request enters the queue and the applicant is told."""
    application.status = ApplicationStatus.PENDING
    application.confirmed_at = utcnow()
    application.confirm_token_hash = None
    audit.record("application.confirmed", target=application, email=application.email)
    db.session.commit()
    mail.send(
        application.email,
        _("We received your request for access to Liaison"),
        "application_received",
        application=application,
    )


def visible_to(user) -> sa.Select:
    """The queue ``user`` may see: staff see all, a focal point only their State's."""
    query = sa.select(Application)
    if not user.is_staff:
        query = query.where(Application.state_code == (user.state_code or "--"))
    return query


def check_can_see(user, application: Application) -> None:
    if user.is_staff or is_focal_point_of(user, application.state_code):
        return
    raise ActionError(_("Only the focal points of this State may see this application."), 403)


def state_has_focal_point(state_code: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.state_code == state_code,
                User.role == Role.FOCAL_POINT,
                User.status == Status.ACTIVE,
            )
        )
        > 0
    )


def needs_vouch(application: Application) -> bool:
    return (
        current_app.config.get("APPLICATIONS_TWO_PERSON_RULE", True)
        and application.vouched_at is None
        and state_has_focal_point(application.state_code)
    )


def _check_pending(application: Application) -> None:
    if application.status != ApplicationStatus.PENDING:
        raise ActionError(_("This application has already been decided."), 409)


def do_vouch(user, application: Application, note: str) -> None:
    if not is_focal_point_of(user, application.state_code):
        raise ActionError(_("Only a focal point of the applicant's State may vouch."), 403)
    _check_pending(application)
    if application.vouched_at is not None:
        raise ActionError(_("Someone has already vouched for this applicant."), 409)
    application.vouched_by_id = user.id
    application.vouched_at = utcnow()
    audit.record("application.vouched", actor=user, target=application, note=note.strip())
    db.session.commit()


def do_approve(moderator, application: Application, reason: str) -> None:
    """Approve and send the invitation: one transaction, one audit entry naming both."""
    if not moderator.is_staff:
        raise ActionError(_("Only moderators approve applications."), 403)
    _check_pending(application)
    if needs_vouch(application):
        raise ActionError(
            _("This State has a focal point: they must vouch for the applicant first."), 409
        )
    try:
        invitation, token = prepare_invitation(
            moderator,
            application.email,
            role=Role.MEMBER,
            state_code=application.state_code,
            authority_name=application.authority_name,
        )
    except ActionError:
        db.session.rollback()
        raise
    application.status = ApplicationStatus.APPROVED
    application.decided_by_id = moderator.id
    application.decided_at = utcnow()
    application.decision_reason = reason.strip()
    # One entry for the decision and the invitation it sends (no separate invitation.created).
    audit.record(
        "application.approved",
        actor=moderator,
        target=application,
        reason=reason,
        invitation_id=invitation.id,
        invited_user_id=invitation.user_id,
    )
    db.session.commit()
    send_invitation(moderator, invitation, token)


def do_reject(moderator, application: Application, reason: str) -> None:
    if not moderator.is_staff:
        raise ActionError(_("Only moderators reject applications."), 403)
    _check_pending(application)
    if not reason.strip():
        raise ActionError(_("Give a reason: the applicant receives it."))
    application.status = ApplicationStatus.REJECTED
    application.decided_by_id = moderator.id
    application.decided_at = utcnow()
    application.decision_reason = reason.strip()
    audit.record("application.rejected", actor=moderator, target=application, reason=reason)
    db.session.commit()
    mail.send(
        application.email,
        _("Your request for access to Liaison"),
        "application_rejected",
        application=application,
        reason=reason.strip(),
    )
