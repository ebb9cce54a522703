"""The notification list, e-mail settings, and @mention suggestions for the editor."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum import header_counts
from forum.auth.models import Status
from forum.auth.models import User
from forum.discussions import bp
from forum.discussions import notifications
from forum.discussions.forms import SettingsForm
from forum.discussions.models import Notification
from forum.discussions.models import Space
from forum.discussions.models import Thread
from forum.discussions.permissions import can_read_space
from forum.discussions.permissions import readable_by_user_column
from forum.discussions.permissions import readable_thread_or_404
from forum.extensions import db
from forum.security.access import login_required

header_counts.register("unread_notifications", notifications.unread_count_query)


@bp.route("/notifications")
@login_required
def notification_list():
    items = db.session.scalars(
        notifications.visible_query(current_user)
        .options(
            so.joinedload(Notification.actor),
            so.joinedload(Notification.thread),
        )
        .limit(100)
    ).all()
    return render_template(
        "discussions/notifications.html", items=items, describe=notifications.describe
    )


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    notifications.mark_all_read(current_user)
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("discussions.notification_list"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm()
    if request.method == "GET":
        form.email_mode.data = notifications.email_mode(current_user.id)
    if form.validate_on_submit():
        notifications.set_email_mode(current_user, form.email_mode.data)
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("discussions.settings"))
    status = 400 if form.errors else 200
    return render_template("discussions/settings.html", form=form), status


@bp.route("/mentions")
@login_required
def mention_suggestions():
    """Members who could read the thread (or space) being written in, matching a prefix."""
    prefix = (request.args.get("q") or "").strip().lower()[:60]
    if len(prefix) < 2:
        return jsonify(users=[])
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = sa.select(User).where(
        User.status == Status.ACTIVE,
        User.id != current_user.id,
        sa.or_(
            sa.func.lower(User.display_name).like(like, escape="\\"),
            User.email.like(like, escape="\\"),
        ),
    )
    thread_id = request.args.get("thread", type=int)
    space_id = request.args.get("space", type=int)
    if thread_id:
        thread = readable_thread_or_404(current_user, thread_id)
        statement = statement.join(Thread, Thread.id == thread.id).where(
            readable_by_user_column(User.id, User.role)
        )
    elif space_id:
        space = db.session.get(Space, space_id)
        if space is None or not can_read_space(current_user, space):
            return jsonify(users=[]), 404
        from forum.discussions.permissions import active_space_ids

        statement = statement.where(sa.literal(space.id).in_(active_space_ids(User.id)))
    users = db.session.scalars(statement.order_by(User.display_name).limit(8)).all()
    return jsonify(users=[{"name": u.display_name or u.email, "handle": u.email} for u in users])
