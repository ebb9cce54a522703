from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.admin import bp
from forum.admin.forms import ResetSecondFactorForm
from forum.auth import actions
from forum.auth.models import User
from forum.auth.permissions import admin_required
from forum.auth.sessions import is_recently_reauthenticated
from forum.extensions import db

PAGE_SIZE = 50


@bp.route("/users")
@admin_required
def users():
    query = request.args.get("q", "").strip()[:100]
    page = max(request.args.get("page", 1, type=int), 1)
    statement = sa.select(User).order_by(User.email)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            sa.or_(User.email.like(pattern), sa.func.lower(User.display_name).like(pattern))
        )
    rows = db.session.scalars(statement.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template(
        "admin/users.html",
        users=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page=page,
        query=query,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_detail(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = ResetSecondFactorForm()
    if form.validate_on_submit():
        if not is_recently_reauthenticated(g.auth_session):
            # Asked here rather than by redirect, so the reason typed is kept on the page.
            flash(
                _("Resetting a second factor needs your password and a code first."),
                "error",
            )
            return render_template(
                "admin/user_detail.html", user=user, form=form, needs_reauth=True
            ), 403
        try:
            actions.do_admin_reset_second_factor(current_user, user, form.reason.data)
        except actions.ActionError as error:
            flash(error.message, "error")
            return render_template("admin/user_detail.html", user=user, form=form), error.status
        flash(
            _(
                "Second factor reset. %(name)s must enrol again at next login.",
                name=user.display_name or user.email,
            ),
            "info",
        )
        return redirect(url_for("admin.user_detail", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_detail.html", user=user, form=form), status


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@admin_required
def end_sessions(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    try:
        ended = actions.do_admin_end_sessions(current_user, user)
    except actions.ActionError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.user_detail", user_id=user.id)), 303
    flash(_("%(count)d sessions ended.", count=ended), "info")
    return redirect(url_for("admin.user_detail", user_id=user.id))
