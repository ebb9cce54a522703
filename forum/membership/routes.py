from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum import header_counts
from forum.auth.forms import ConfirmForm
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.extensions import db
from forum.extensions import limiter
from forum.membership import bp
from forum.membership.forms import ApplicationForm
from forum.moderation import applications
from forum.moderation import members
from forum.moderation.models import Notice
from forum.security.access import login_required
from forum.security.access import public

# Someone seen within this window shows as "active now" on their profile.
PRESENCE_WINDOW = timedelta(minutes=5)


def _apply_ip_limit() -> str:
    return current_app.config.get("APPLY_IP_LIMIT", "5 per hour")


def _apply_domain_limit() -> str:
    return current_app.config.get("APPLY_DOMAIN_LIMIT", "20 per day")


def _email_domain_key() -> str:
    # One mail domain cannot flood the queue, whatever addresses it sends from.
    return "apply-domain:" + applications.email_domain(request.form.get("email", ""))


@bp.route("/apply", methods=["GET", "POST"])
@public
@limiter.limit(_apply_ip_limit, methods=["POST"])
@limiter.limit(_apply_domain_limit, methods=["POST"], key_func=_email_domain_key)
def apply():
    form = ApplicationForm()
    if form.validate_on_submit():
        if not form.website.data:
            applications.do_submit_application(
                email=form.email.data,
                display_name=form.display_name.data,
                state_code=form.state_code.data,
                authority_name=form.authority_name.data,
                function=form.function.data,
                motivation=form.motivation.data,
            )
        # The honeypot case gets the same answer: a bot learns nothing.
        return redirect(url_for("membership.application_sent"))
    status = 400 if form.is_submitted() else 200
    return render_template("membership/apply.html", form=form), status


@bp.route("/apply/sent")
@public
def application_sent():
    return render_template("membership/apply_sent.html")


@bp.route("/apply/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_apply_ip_limit, methods=["POST"])
def confirm_application(token: str):
    """GET shows a button and changes nothing: mail scanners open links too."""
    application = applications.find_unconfirmed(token)
    if application is None:
        return render_template("membership/confirm_invalid.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        applications.do_confirm_application(application)
        return render_template("membership/confirmed.html", application=application)
    return render_template("membership/confirm.html", form=form, application=application)


@bp.route("/members/<int:user_id>")
@login_required
def profile(user_id: int):
    user = db.session.get(User, user_id)
    # Members see active colleagues only; staff also see anyone else, for the record.
    if user is None or (user.status != Status.ACTIVE and not current_user.is_staff):
        abort(404)
    online = user.last_seen_at is not None and utcnow() - user.last_seen_at < PRESENCE_WINDOW
    # Chat's "start a direct conversation" takes a POST with the other person's id.
    can_message = (
        "chat.start_direct" in current_app.view_functions
        and user.id != current_user.id
        and user.status == Status.ACTIVE
    )
    return render_template(
        "membership/profile.html", user=user, online=online, can_message=can_message
    )


@bp.route("/members/notices", methods=["GET", "POST"])
@login_required
def notices():
    form = ConfirmForm()
    if form.validate_on_submit():
        members.do_mark_notices_read(current_user)
        flash(_("Notices marked as read."), "info")
        return redirect(url_for("membership.notices"))
    rows = db.session.scalars(
        sa.select(Notice)
        .where(Notice.user_id == current_user.id)
        .order_by(Notice.created_at.desc())
        .limit(100)
    ).all()
    return render_template("membership/notices.html", notices=rows, form=form)


header_counts.register("unread_notices", lambda user, now: members.unread_notice_query(user))
