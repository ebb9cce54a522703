"""Login, logout, invitation acceptance, TOTP enrolment, password reset, re-authentication."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _

from forum.auth import actions
from forum.auth import bp
from forum.auth import invitations
from forum.auth import totp
from forum.auth.forms import AcceptInvitationForm
from forum.auth.forms import CodeForm
from forum.auth.forms import EnrolTotpForm
from forum.auth.forms import LoginForm
from forum.auth.forms import ReauthForm
from forum.auth.forms import RequestResetForm
from forum.auth.forms import ResetPasswordForm
from forum.auth.sessions import current_auth_session
from forum.auth.sessions import end_current_session
from forum.extensions import limiter
from forum.security.access import enrolment_step
from forum.security.access import login_required
from forum.security.access import public
from forum.security.crypto import decrypt_secret
from forum.security.crypto import encrypt_secret

CHALLENGE_KEY = "login_challenge"
PENDING_SECRET_KEY = "pending_totp_secret"
NEXT_KEY = "next_after_login"


def _login_ip_limit() -> str:
    return current_app.config["LOGIN_IP_LIMIT"]


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: an open redirect would make phishing easy."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _render_with_error(template: str, form, message: str, status: int, **context):
    """Show the form again with the input kept, the error said, and a 4xx status."""
    flash(message, "error")
    return render_template(template, form=form, **context), status


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"])
def login():
    if current_auth_session() is not None and g.auth_session.mfa_complete:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        started = actions.do_begin_login(form.email.data, form.password.data)
        next_url = safe_next(request.args.get("next"))
        if started.enrolment_session is not None:
            if next_url:
                session[NEXT_KEY] = next_url
            return redirect(url_for("auth.enrol_totp"))
        session[CHALLENGE_KEY] = started.challenge_token
        if next_url:
            session[NEXT_KEY] = next_url
        return redirect(url_for("auth.login_code"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"])
def login_code():
    challenge = actions.find_challenge(session.get(CHALLENGE_KEY))
    if challenge is None:
        flash(_("Your login took too long. Start again."), "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        next_url = session.get(NEXT_KEY)
        try:
            actions.do_complete_login(challenge, form.code.data)
        except actions.ActionError as error:
            return _render_with_error("auth/login_code.html", form, error.message, error.status)
        return redirect(safe_next(next_url) or url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login_code.html", form=form), status


@bp.route("/logout", methods=["POST"])
@public
def logout():
    end_current_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"])
def accept_invitation(token: str):
    invitation = invitations.find_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            invitations.do_accept_invitation(
                invitation, form.display_name.data, form.password.data, form.confirmation.data
            )
        except actions.ActionError as error:
            return _render_with_error(
                "auth/accept_invitation.html",
                form,
                error.message,
                error.status,
                invitation=invitation,
            )
        return redirect(url_for("auth.enrol_totp"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), status


def _pending_secret() -> str:
    """The secret being enrolled, kept encrypted in the session until it is confirmed."""
    stored = session.get(PENDING_SECRET_KEY)
    if stored:
        try:
            return decrypt_secret(stored)
        except Exception:  # noqa: BLE001 — a stale or foreign value just means "start over"
            pass
    secret = totp.new_secret()
    session[PENDING_SECRET_KEY] = encrypt_secret(secret)
    return secret


def render_enrolment(form, record, status: int = 200, template: str = "auth/enrol_totp.html"):
    secret = _pending_secret()
    uri = totp.provisioning_uri(secret, record.user.email)
    return render_template(
        template,
        form=form,
        qr_svg=totp.qr_code_svg(uri),
        secret=totp.format_secret(secret),
        uri=uri,
    ), status


def confirm_enrolment(form, record, template: str):
    """Shared by first enrolment and by changing the second factor from account security."""
    secret = _pending_secret()
    try:
        new_record, codes = actions.do_confirm_totp_enrolment(record, secret, form.code.data)
    except actions.ActionError as error:
        flash(error.message, "error")
        return render_enrolment(form, record, status=400, template=template)
    session.pop(PENDING_SECRET_KEY, None)
    next_url = session.pop(NEXT_KEY, None)
    return render_template(
        "auth/recovery_codes.html",
        codes=codes,
        next_url=safe_next(next_url) or url_for("main.home"),
    )


@bp.route("/enrol", methods=["GET", "POST"])
@enrolment_step
def enrol_totp():
    record = g.auth_session
    form = EnrolTotpForm()
    if form.validate_on_submit():
        return confirm_enrolment(form, record, "auth/enrol_totp.html")
    return render_enrolment(form, record, status=400 if form.is_submitted() else 200)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RESET_IP_LIMIT"], methods=["POST"])
def request_password_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        actions.do_request_password_reset(form.email.data)
        flash(
            _(
                "If that address belongs to an account, a reset link is on its way. "
                "It works once, for one hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/request_reset.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_ip_limit, methods=["POST"])
def reset_password(token: str):
    reset = actions.find_password_reset(token)
    if reset is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            actions.do_reset_password(
                reset, form.password.data, form.confirmation.data, form.code.data
            )
        except actions.ActionError as error:
            return _render_with_error("auth/reset_password.html", form, error.message, error.status)
        end_current_session()
        flash(_("Your password is changed. Log in with it and your authentication code."), "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_ip_limit, methods=["POST"])
def reauthenticate():
    form = ReauthForm()
    next_url = safe_next(request.args.get("next")) or url_for("account.security")
    if form.validate_on_submit():
        try:
            actions.do_reauthenticate(g.auth_session, form.password.data, form.code.data)
        except actions.ActionError as error:
            return _render_with_error("auth/reauthenticate.html", form, error.message, error.status)
        return redirect(next_url)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reauthenticate.html", form=form), status
