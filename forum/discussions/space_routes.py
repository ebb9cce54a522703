"""Spaces (private areas) and the administrators' category list."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import time

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.auth.actions import ActionError
from forum.auth.permissions import admin_required
from forum.auth.permissions import staff_required
from forum.discussions import bp
from forum.discussions import queries
from forum.discussions import spaces
from forum.discussions.forms import CategoryForm
from forum.discussions.forms import SpaceForm
from forum.discussions.forms import SpaceMemberForm
from forum.discussions.models import Category
from forum.discussions.models import Space
from forum.discussions.models import SpaceMember
from forum.discussions.models import Thread
from forum.discussions.permissions import can_manage_space
from forum.discussions.permissions import can_read_space
from forum.discussions.permissions import can_write_in_space
from forum.extensions import db
from forum.security.access import login_required


def _space_or_404(space_id: int) -> Space:
    space = db.session.get(Space, space_id)
    if space is None or not can_read_space(current_user, space):
        abort(404)
    return space


def _end_of(day) -> datetime | None:
    return datetime.combine(day, time.max, tzinfo=UTC) if day else None


@bp.route("/spaces")
@login_required
def spaces_list():
    return render_template("discussions/spaces.html", spaces=queries.my_spaces(current_user))


@bp.route("/spaces/new", methods=["GET", "POST"])
@staff_required
def new_space():
    form = SpaceForm()
    if form.validate_on_submit():
        try:
            space = spaces.do_create_space(
                current_user, form.name.data, form.description.data, _end_of(form.ends_on.data)
            )
        except ActionError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("discussions.space", space_id=space.id))
    status = 400 if form.errors else 200
    return render_template("discussions/space_new.html", form=form), status


@bp.route("/s/<int:space_id>")
@login_required
def space(space_id: int):
    space = _space_or_404(space_id)
    return render_template(
        "discussions/space.html",
        space=space,
        rows=queries.thread_list(current_user, Thread.space_id == space.id, limit=50),
        members=queries.space_members(space),
        can_manage=can_manage_space(current_user, space),
        can_write=can_write_in_space(current_user, space),
        member_form=SpaceMemberForm(),
        space_form=SpaceForm(obj=space),
    )


@bp.route("/s/<int:space_id>/members", methods=["POST"])
@login_required
def add_space_member(space_id: int):
    space = _space_or_404(space_id)
    form = SpaceMemberForm()
    if not form.validate_on_submit():
        flash(_("Give the member's e-mail address."), "error")
    else:
        try:
            spaces.do_add_space_member(current_user, space, form.email.data, form.role.data)
        except ActionError as error:
            if error.status == 403:
                abort(403)
            flash(error.message, "error")
        else:
            flash(_("Member added."), "success")
    return redirect(url_for("discussions.space", space_id=space.id))


@bp.route("/s/<int:space_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_space_member(space_id: int, member_id: int):
    space = _space_or_404(space_id)
    member = db.session.get(SpaceMember, member_id)
    if member is None or member.space_id != space.id:
        abort(404)
    try:
        spaces.do_remove_space_member(current_user, space, member)
    except ActionError as error:
        abort(error.status)
    flash(_("Member removed."), "success")
    return redirect(url_for("discussions.space", space_id=space.id))


@bp.route("/s/<int:space_id>/end", methods=["POST"])
@staff_required
def set_space_end(space_id: int):
    space = _space_or_404(space_id)
    form = SpaceForm()
    if not form.ends_on.validate(form):
        abort(400)  # a mistyped date is not "no end date": that would reopen an ended space
    spaces.do_set_space_end(current_user, space, _end_of(form.ends_on.data))
    flash(_("End date saved."), "success")
    return redirect(url_for("discussions.space", space_id=space.id))


@bp.route("/admin/categories", methods=["GET", "POST"])
@admin_required
def admin_categories():
    form = CategoryForm()
    status = 200
    if form.validate_on_submit():
        try:
            spaces.do_save_category(
                current_user,
                None,
                form.slug.data,
                form.name.data,
                form.description.data,
                form.position.data,
            )
        except ActionError as error:
            flash(error.message, "error")
            status = error.status
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for("discussions.admin_categories"))
    elif form.errors:
        status = 400
    return render_template(
        "discussions/admin_categories.html", form=form, categories=queries.categories()
    ), status


@bp.route("/admin/categories/<int:category_id>", methods=["POST"])
@admin_required
def admin_edit_category(category_id: int):
    category = db.session.get(Category, category_id) or abort(404)
    form = CategoryForm()
    if not form.validate_on_submit():
        flash(_("Check the category's fields."), "error")
    else:
        try:
            spaces.do_save_category(
                current_user,
                category,
                form.slug.data,
                form.name.data,
                form.description.data,
                form.position.data,
            )
        except ActionError as error:
            flash(error.message, "error")
        else:
            flash(_("Category saved."), "success")
    return redirect(url_for("discussions.admin_categories"))
