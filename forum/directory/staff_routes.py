"""Staff pages: staleness per State (moderators), bulk import (admins), resources library."""

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

from forum.auth.forms import ConfirmForm
from forum.auth.permissions import admin_required
from forum.auth.permissions import staff_required
from forum.countries import sort_key
from forum.directory import bp
from forum.directory import importer
from forum.directory import reminders
from forum.directory import resources
from forum.directory.forms import ImportForm
from forum.directory.forms import ResourceForm
from forum.directory.models import Resource
from forum.directory.vocab import RESOURCE_CATEGORIES
from forum.directory.vocab import language_name
from forum.extensions import db
from forum.security.access import login_required


@bp.route("/staleness")
@staff_required
def staleness():
    rows = sorted(reminders.staleness_report(), key=lambda row: sort_key(row.state.display_name))
    wanted = request.args.get("status", "")
    counts = {status: 0 for status in reminders.STATUSES}
    for row in rows:
        counts[row.status] += 1
    if wanted in reminders.STATUSES:
        rows = [row for row in rows if row.status == wanted]
    return render_template("directory/staleness.html", rows=rows, counts=counts, wanted=wanted)


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_entries():
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        report = importer.run(
            current_user, upload.read(), upload.filename or "", dry_run=form.dry_run.data
        )
        if report.written:
            flash(_("Import done: %(count)d entries written.", count=len(report.rows)), "info")
        elif not report.ok:
            status = 400
            flash(_("Nothing was written: the file has errors."), "error")
        else:
            flash(_("Dry run: the file is valid. Nothing was written."), "info")
    elif form.is_submitted():
        status = 400
    return render_template("directory/import.html", form=form, report=report), status


@bp.route("/resources")
@login_required
def resource_list():
    category = request.args.get("category", "")
    query = sa.select(Resource).order_by(Resource.category, Resource.title)
    if category in RESOURCE_CATEGORIES:
        query = query.where(Resource.category == category)
    return render_template(
        "directory/resources.html",
        items=db.session.scalars(query).all(),
        categories=RESOURCE_CATEGORIES,
        category=category,
        language_name=language_name,
        can_manage=current_user.is_staff,
        confirm_form=ConfirmForm(),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_resource(resource_id: int | None = None):
    item = db.session.get(Resource, resource_id) or abort(404) if resource_id else None
    form = ResourceForm(obj=item if request.method == "GET" else None)
    if request.method == "GET" and item is None:
        form.language.data = "en"
    if form.validate_on_submit():
        try:
            resources.do_save(current_user, item, form.data, form.document.data)
        except resources.AttachmentError as error:
            form.document.errors = [*form.document.errors, error.message]
        except resources.ActionError as error:
            form.url.errors = [*form.url.errors, error.message]
        else:
            flash(_("Resource saved."), "info")
            return redirect(url_for("directory.resource_list"))
    status = 400 if form.is_submitted() else 200
    return render_template("directory/resource_form.html", form=form, item=item), status


@bp.route("/resources/<int:resource_id>/document")
@bp.route("/resources/<int:resource_id>/document/<path:name>")
@login_required
def resource_document(resource_id: int, name: str | None = None):
    """Members only, like the library; a resource without a document is "not found"."""
    item = db.session.get(Resource, resource_id)
    if item is None or item.document is None:
        abort(404)
    return resources.send_attachment(item.document)


@bp.route("/resources/<int:resource_id>/delete", methods=["POST"])
@staff_required
def delete_resource(resource_id: int):
    item = db.session.get(Resource, resource_id) or abort(404)
    ConfirmForm().validate_on_submit() or abort(400)
    resources.do_delete(current_user, item)
    flash(_("Resource removed."), "info")
    return redirect(url_for("directory.resource_list"))
