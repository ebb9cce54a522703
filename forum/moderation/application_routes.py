"""The application queue: moderators see all; a focal point sees and vouches for their State."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.auth.actions import ActionError
from forum.extensions import db
from forum.moderation import applications
from forum.moderation import bp
from forum.moderation.forms import OptionalReasonForm
from forum.moderation.forms import ReasonForm
from forum.moderation.models import Application
from forum.moderation.models import ApplicationStatus
from forum.moderation.rules import vetting_required

_QUEUE_STATUSES = ("pending", "approved", "rejected")


@bp.route("/applications")
@vetting_required
def applications_queue():
    status = request.args.get("status", "pending")
    if status not in _QUEUE_STATUSES:
        status = "pending"
    rows = db.session.scalars(
        applications.visible_to(current_user)
        .where(Application.status == status)
        .order_by(Application.confirmed_at.desc())
        .limit(200)
    ).all()
    return render_template(
        "moderation/applications.html", applications=rows, status=status, statuses=_QUEUE_STATUSES
    )


def _load(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    # Unconfirmed requests are not in anyone's queue.
    if application is None or application.status == ApplicationStatus.UNCONFIRMED:
        abort(404)
    try:
        applications.check_can_see(current_user, application)
    except ActionError:
        abort(403)
    return application


def _render_detail(application: Application, status: int = 200, **forms):
    context = {
        "vouch_form": OptionalReasonForm(prefix="vouch"),
        "approve_form": OptionalReasonForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject"),
    }
    context.update(forms)
    return render_template(
        "moderation/application_detail.html",
        application=application,
        needs_vouch=applications.needs_vouch(application),
        **context,
    ), status


@bp.route("/applications/<int:application_id>")
@vetting_required
def application_detail(application_id: int):
    return _render_detail(_load(application_id))


def _decide(application_id: int, form_name: str, form, action):
    application = _load(application_id)
    if not form.validate_on_submit():
        flash(_("Check the form: a reason is required."), "error")
        return _render_detail(application, 400, **{form_name: form})
    try:
        action(current_user, application, form.reason.data or "")
    except ActionError as error:
        flash(error.message, "error")
        return _render_detail(application, error.status, **{form_name: form})
    return None


@bp.route("/applications/<int:application_id>/vouch", methods=["POST"])
@vetting_required
def vouch_application(application_id: int):
    failed = _decide(
        application_id, "vouch_form", OptionalReasonForm(prefix="vouch"), applications.do_vouch
    )
    if failed:
        return failed
    flash(_("You vouched for this applicant. A moderator makes the decision."), "info")
    return redirect(url_for("moderation.application_detail", application_id=application_id))


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
@vetting_required
def approve_application(application_id: int):
    failed = _decide(
        application_id,
        "approve_form",
        OptionalReasonForm(prefix="approve"),
        applications.do_approve,
    )
    if failed:
        return failed
    flash(_("Approved: the invitation has been sent."), "info")
    return redirect(url_for("moderation.applications_queue"))


@bp.route("/applications/<int:application_id>/reject", methods=["POST"])
@vetting_required
def reject_application(application_id: int):
    failed = _decide(
        application_id, "reject_form", ReasonForm(prefix="reject"), applications.do_reject
    )
    if failed:
        return failed
    flash(_("Rejected: the applicant has been told the reason."), "info")
    return redirect(url_for("moderation.applications_queue"))
