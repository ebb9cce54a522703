"""Flagging (any reader) and the moderators' buttons on threads and posts."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forum.auth.actions import ActionError
from forum.auth.permissions import staff_required
from forum.discussions import bp
from forum.discussions import moderation
from forum.discussions.forms import ModerateThreadForm
from forum.discussions.forms import ReasonForm
from forum.discussions.models import Category
from forum.discussions.permissions import readable_post_or_404
from forum.discussions.permissions import readable_thread_or_404
from forum.discussions.queries import categories
from forum.extensions import db
from forum.security.access import login_required

_THREAD_ACTIONS = {
    "pin": moderation.do_pin_thread,
    "unpin": moderation.do_unpin_thread,
    "lock": moderation.do_lock_thread,
    "unlock": moderation.do_unlock_thread,
    "hide": moderation.do_hide_thread,
    "unhide": moderation.do_unhide_thread,
}


@bp.route("/p/<int:post_id>/flag", methods=["POST"])
@login_required
def flag_post(post_id: int):
    post = readable_post_or_404(current_user, post_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why you flag this post."), "error")
    else:
        try:
            moderation.do_flag_post(current_user, post, form.reason.data)
        except ActionError as error:
            if error.status == 404:
                abort(404)
            flash(error.message, "error")
        else:
            flash(_("Thank you. The moderators will look at this post."), "success")
    return redirect(url_for("discussions.post_link", post_id=post.id))


@bp.route("/t/<int:thread_id>/moderate", methods=["POST"])
@staff_required
def moderate_thread(thread_id: int):
    thread = readable_thread_or_404(current_user, thread_id)
    form = ModerateThreadForm()
    form.category.choices = [SelectChoice(str(c.id), c.name) for c in categories()]
    if not form.validate_on_submit():
        flash(_("Choose an action and give a reason."), "error")
        return redirect(url_for("discussions.thread", thread_id=thread.id)), 303
    try:
        if form.action.data == "move":
            category = db.session.get(Category, int(form.category.data or 0))
            moderation.do_move_thread(current_user, thread, category, form.reason.data)
        else:
            _THREAD_ACTIONS[form.action.data](current_user, thread, form.reason.data)
    except ActionError as error:
        flash(error.message, "error")
    else:
        flash(_("Done."), "success")
    return redirect(url_for("discussions.thread", thread_id=thread.id))


@bp.route("/p/<int:post_id>/moderate/<any(hide, unhide):action>", methods=["POST"])
@staff_required
def moderate_post(post_id: int, action: str):
    post = readable_post_or_404(current_user, post_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
    else:
        do = moderation.do_hide_post if action == "hide" else moderation.do_unhide_post
        try:
            do(current_user, post, form.reason.data)
        except ActionError as error:
            flash(error.message, "error")
        else:
            flash(_("Done."), "success")
    return redirect(url_for("discussions.post_link", post_id=post.id))
