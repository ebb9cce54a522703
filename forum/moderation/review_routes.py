"""Focal points confirm their State's members; moderators see every review."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.auth.actions import ActionError
from forum.auth.forms import ConfirmForm
from forum.extensions import db
from forum.moderation import bp
from forum.moderation import reviews
from forum.moderation.models import StateReview
from forum.moderation.rules import vetting_required


@bp.route("/reviews")
@vetting_required
def reviews_list():
    query = sa.select(StateReview).order_by(StateReview.requested_at.desc()).limit(200)
    if not current_user.is_staff:
        query = query.where(StateReview.state_code == (current_user.state_code or "--"))
    return render_template("moderation/reviews.html", reviews=db.session.scalars(query).all())


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
@vetting_required
def review_detail(review_id: int):
    review = db.session.get(StateReview, review_id) or abort(404)
    try:
        reviews.check_can_review(current_user, review)
    except ActionError:
        abort(403)
    form = ConfirmForm()
    people = reviews.state_members(review.state_code)
    if form.validate_on_submit():
        departed = [int(v) for v in request.form.getlist("departed") if v.isdigit()]
        try:
            reviews.do_complete_review(current_user, review, departed)
        except ActionError as error:
            flash(error.message, "error")
            return render_template(
                "moderation/review_detail.html", review=review, people=people, form=form
            ), error.status
        flash(_("Thank you: the review is recorded."), "info")
        return redirect(url_for("moderation.review_detail", review_id=review.id))
    return render_template("moderation/review_detail.html", review=review, people=people, form=form)
