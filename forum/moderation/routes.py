from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.auth import actions
from forum.auth import invitations as invitation_actions
from forum.auth.forms import ConfirmForm
from forum.auth.models import Invitation
from forum.auth.permissions import staff_required
from forum.extensions import db
from forum.moderation import bp
from forum.moderation.forms import ROLE_LABELS
from forum.moderation.forms import InvitationForm


def _render_invitations(form, status: int = 200):
    invitations = db.session.scalars(
        sa.select(Invitation).order_by(Invitation.created_at.desc()).limit(200)
    ).all()
    return render_template(
        "moderation/invitations.html",
        form=form,
        invitations=invitations,
        role_labels=ROLE_LABELS,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/invitations", methods=["GET", "POST"])
@staff_required
def invitations():
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            _invitation, link = invitation_actions.do_invite(
                current_user,
                form.email.data,
                role=form.role.data,
                state_code=form.state_code.data or None,
                authority_name=(form.authority_name.data or "").strip(),
            )
        except actions.ActionError as error:
            flash(error.message, "error")
            return _render_invitations(form, error.status)
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "info")
        return redirect(url_for("moderation.invitations"))
    return _render_invitations(form, 400 if form.is_submitted() else 200)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@staff_required
def revoke_invitation(invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    try:
        invitation_actions.do_revoke_invitation(current_user, invitation)
    except actions.ActionError as error:
        flash(error.message, "error")
        return redirect(url_for("moderation.invitations")), 303
    flash(_("Invitation revoked."), "info")
    return redirect(url_for("moderation.invitations"))


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@staff_required
def resend_invitation(invitation_id: int):
    """A fresh link (the old one stops working), same role, State and authority."""
    invitation = db.session.get(Invitation, invitation_id) or abort(404)
    user = invitation.user
    if invitation.state not in ("pending", "expired"):
        flash(_("Only a pending or expired invitation can be sent again."), "error")
        return redirect(url_for("moderation.invitations")), 303
    try:
        invitation_actions.do_invite(
            current_user,
            user.email,
            role=user.role,
            state_code=user.state_code,
            authority_name=user.authority_name,
        )
    except actions.ActionError as error:
        flash(error.message, "error")
        return redirect(url_for("moderation.invitations")), 303
    flash(_("Invitation sent again to %(email)s.", email=user.email), "info")
    return redirect(url_for("moderation.invitations"))


from forum.moderation import application_routes  # noqa: E402,F401
from forum.moderation import audit_routes  # noqa: E402,F401
from forum.moderation import flag_routes  # noqa: E402,F401
from forum.moderation import member_routes  # noqa: E402,F401
from forum.moderation import review_routes  # noqa: E402,F401
