"""The account security page: sessions, password, email, second factor, recovery codes."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forum.auth import account_bp as bp
from forum.auth import actions
from forum.auth import totp
from forum.auth.forms import ChangeEmailForm
from forum.auth.forms import ChangePasswordForm
from forum.auth.forms import ConfirmForm
from forum.auth.forms import EnrolTotpForm
from forum.auth.forms import PreferencesForm
from forum.auth.permissions import fresh_login_required
from forum.auth.routes import confirm_enrolment
from forum.auth.routes import render_enrolment
from forum.auth.sessions import active_sessions
from forum.i18n import language_choices
from forum.security.access import login_required


@bp.route("/security")
@login_required
def security():
    return render_template(
        "account/security.html",
        sessions=active_sessions(current_user),
        current_session_id=g.auth_session.id,
        recovery_codes_left=totp.remaining_recovery_codes(current_user),
        confirm_form=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>/revoke", methods=["POST"])
@login_required
def revoke_session(session_id: int):
    if session_id == g.auth_session.id:
        flash(_("To end this session, log out."), "error")
        return redirect(url_for("account.security"))
    try:
        actions.do_revoke_session(current_user, session_id)
    except actions.ActionError as error:
        flash(error.message, "error")
        return render_template(
            "errors/error.html", code=error.status, title=_("Not found"), message=error.message
        ), error.status
    flash(_("The session has been ended."), "info")
    return redirect(url_for("account.security"))


@bp.route("/sessions/revoke-others", methods=["POST"])
@login_required
def revoke_other_sessions():
    ended = actions.do_revoke_other_sessions(g.auth_session)
    flash(_("%(count)d other sessions ended.", count=ended), "info")
    return redirect(url_for("account.security"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@fresh_login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            actions.do_change_password(
                g.auth_session,
                form.current_password.data,
                form.password.data,
                form.confirmation.data,
            )
        except actions.ActionError as error:
            flash(error.message, "error")
            return render_template(
                "account/form_page.html", form=form, title=_("Change password")
            ), 400
        flash(_("Your password is changed. Your other sessions have been ended."), "info")
        return redirect(url_for("account.security"))
    status = 400 if form.is_submitted() else 200
    return render_template("account/form_page.html", form=form, title=_("Change password")), status


@bp.route("/email", methods=["GET", "POST"])
@login_required
@fresh_login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            actions.do_request_email_change(current_user, form.email.data)
        except actions.ActionError as error:
            flash(error.message, "error")
            return render_template(
                "account/form_page.html", form=form, title=_("Change email")
            ), error.status
        flash(
            _(
                "We sent a confirmation link to %(email)s. Your address changes when you "
                "open it (within 24 hours) while logged in.",
                email=current_user.pending_email,
            ),
            "info",
        )
        return redirect(url_for("account.security"))
    status = 400 if form.is_submitted() else 200
    return render_template("account/form_page.html", form=form, title=_("Change email")), status


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@login_required
def confirm_email(token: str):
    """GET shows what will change; only the POST changes it (no state change on GET)."""
    try:
        actions.check_email_change_token(current_user, token)
    except actions.ActionError as error:
        return render_template(
            "errors/error.html", code=404, title=_("Not found"), message=error.message
        ), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            actions.do_confirm_email_change(current_user, token)
        except actions.ActionError as error:
            flash(error.message, "error")
            return render_template("account/confirm_email.html", form=form), error.status
        flash(_("Your email address is changed."), "info")
        return redirect(url_for("account.security"))
    return render_template("account/confirm_email.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
@fresh_login_required
def change_two_factor():
    form = EnrolTotpForm()
    if form.validate_on_submit():
        return confirm_enrolment(form, g.auth_session, "account/change_two_factor.html")
    return render_enrolment(
        form,
        g.auth_session,
        status=400 if form.is_submitted() else 200,
        template="account/change_two_factor.html",
    )


@bp.route("/recovery-codes", methods=["GET", "POST"])
@login_required
@fresh_login_required
def recovery_codes():
    form = ConfirmForm()
    if form.validate_on_submit():
        codes = actions.do_regenerate_recovery_codes(current_user)
        return render_template(
            "auth/recovery_codes.html", codes=codes, next_url=url_for("account.security")
        )
    return render_template(
        "account/recovery_codes_confirm.html",
        form=form,
        remaining=totp.remaining_recovery_codes(current_user),
    )


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    form.language.choices = [
        SelectChoice(value, label)
        for value, label in [("", _("Browser setting"))] + language_choices()
    ]
    if form.validate_on_submit():
        actions.do_set_language(current_user, form.language.data)
        flash(_("Preferences saved."), "info")
        return redirect(url_for("account.preferences"))
    if not form.is_submitted():
        form.language.data = current_user.preferred_language or ""
    status = 400 if form.is_submitted() else 200
    return render_template(
        "account/preferences.html", form=form, languages=current_app.config["LANGUAGES"]
    ), status
