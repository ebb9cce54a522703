"""Flag queue for moderators: hide, dismiss, warn the author, lock or move the thread."""

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
from forum.auth.permissions import staff_required
from forum.discussions.models import Post
from forum.extensions import db
from forum.moderation import bp
from forum.moderation import flags


def _render(status: int = 200, draft: dict | None = None):
    return render_template(
        "moderation/flags.html",
        queue=flags.flag_queue(),
        categories=flags.categories(),
        draft=draft or {},
    ), status


@bp.route("/flags")
@staff_required
def flags_queue():
    return _render()


@bp.route("/flags/<int:post_id>/<any(dismiss, hide, warn, lock, move):decision>", methods=["POST"])
@staff_required
def decide_flag(post_id: int, decision: str):
    post = db.session.get(Post, post_id) or abort(404)
    reason = request.form.get("reason", "")
    try:
        if decision == "move":
            flags.do_move(current_user, post, request.form.get("category_id", type=int), reason)
        else:
            getattr(flags, f"do_{decision}")(current_user, post, reason)
    except ActionError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render(error.status, draft={"post_id": post.id, "reason": reason})
    done = {
        "dismiss": _("Flags dismissed."),
        "hide": _("Post hidden; the author has been told."),
        "warn": _("The author has been warned privately."),
        "lock": _("Thread locked; the author has been told."),
        "move": _("Thread moved; the author has been told."),
    }[decision]
    flash(done, "info")
    return redirect(url_for("moderation.flags_queue"))
