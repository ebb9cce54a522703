"""Editing: entries, contact persons, State profiles and visibility; history and restore.

Signed-in members only. Members may read histories of any State (they see every State);
only the State's focal points, moderators and admins may change anything (403 otherwise).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.auth.forms import ConfirmForm
from forum.directory import actions
from forum.directory import bp
from forum.directory import export
from forum.directory.forms import ContactForm
from forum.directory.forms import EntryForm
from forum.directory.forms import ProfileForm
from forum.directory.forms import VisibilityForm
from forum.directory.models import ContactPerson
from forum.directory.models import Entry
from forum.directory.models import Revision
from forum.directory.policy import can_edit_state
from forum.directory.policy import editable_state_or_403
from forum.directory.policy import live_entry_or_404
from forum.directory.policy import visible_state_or_404
from forum.directory.revisions import FIELD_LABELS
from forum.directory.validation import treaties_text
from forum.directory.vocab import CHANNELS
from forum.directory.vocab import DESIGNATIONS
from forum.extensions import db
from forum.security.access import login_required


def _form_raw(form) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def _show_errors(form, error: actions.ActionError) -> None:
    if error.status == 403:
        abort(403)
    for name, message in getattr(error, "errors", {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    flash(_("Nothing was saved: correct the fields marked below."), "error")


def _editable_entry(entry_id: int) -> Entry:
    entry = live_entry_or_404(entry_id, current_user)
    if not can_edit_state(current_user, entry.state):
        abort(403)
    return entry


@bp.route("/<code>/entries/new", methods=["GET", "POST"])
@login_required
def new_entry(code: str):
    state = editable_state_or_403(code, current_user)
    form = EntryForm()
    if form.validate_on_submit():
        try:
            entry = actions.do_create_entry(current_user, state, _form_raw(form))
        except actions.ActionError as error:
            _show_errors(form, error)
        else:
            flash(_("Entry added."), "info")
            return redirect(
                url_for("directory.state_page", code=state.code, _anchor=f"e{entry.id}")
            )
    status = 400 if form.is_submitted() else 200
    return render_template("directory/entry_form.html", form=form, state=state, entry=None), status


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    entry = _editable_entry(entry_id)
    form = EntryForm(obj=None if request.method == "POST" else entry)
    if request.method == "GET":
        form.languages.data = " ".join(entry.languages)
    if form.validate_on_submit():
        try:
            changed = actions.do_update_entry(current_user, entry, _form_raw(form))
        except actions.ActionError as error:
            _show_errors(form, error)
        else:
            flash(_("Entry updated.") if changed else _("No changes to save."), "info")
            return redirect(
                url_for("directory.state_page", code=entry.state_code, _anchor=f"e{entry.id}")
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "directory/entry_form.html",
        form=form,
        state=entry.state,
        entry=entry,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/entries/<int:entry_id>/delete", methods=["POST"])
@login_required
def delete_entry(entry_id: int):
    entry = _editable_entry(entry_id)
    ConfirmForm().validate_on_submit() or abort(400)
    actions.do_delete_entry(current_user, entry)
    flash(_("Entry deleted. It can be restored from the history."), "info")
    return redirect(url_for("directory.state_page", code=entry.state_code))


@bp.route("/entries/<int:entry_id>/verify", methods=["POST"])
@login_required
def verify_entry(entry_id: int):
    entry = _editable_entry(entry_id)
    ConfirmForm().validate_on_submit() or abort(400)
    actions.do_verify(current_user, entry.state, entry)
    flash(_("Confirmed unchanged: %(name)s.", name=entry.name), "info")
    return redirect(url_for("directory.state_page", code=entry.state_code, _anchor=f"e{entry.id}"))


@bp.route("/<code>/verify", methods=["POST"])
@login_required
def verify_state(code: str):
    state = editable_state_or_403(code, current_user)
    ConfirmForm().validate_on_submit() or abort(400)
    actions.do_verify(current_user, state)
    flash(_("Confirmed unchanged: every entry of %(state)s.", state=state.display_name), "info")
    return redirect(url_for("directory.state_page", code=state.code))


@bp.route("/entries/<int:entry_id>/contacts/new", methods=["GET", "POST"])
@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit_contact(entry_id: int | None = None, contact_id: int | None = None):
    contact = None
    if contact_id is not None:
        contact = db.session.get(ContactPerson, contact_id) or abort(404)
        entry_id = contact.entry_id
    entry = _editable_entry(entry_id)
    form = ContactForm(obj=None if request.method == "POST" else contact)
    if request.method == "GET" and contact is not None:
        form.languages.data = " ".join(contact.languages)
    if form.validate_on_submit():
        try:
            actions.do_save_contact(current_user, entry, contact, _form_raw(form))
        except actions.ActionError as error:
            _show_errors(form, error)
        else:
            flash(_("Contact person saved."), "info")
            return redirect(
                url_for("directory.state_page", code=entry.state_code, _anchor=f"e{entry.id}")
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "directory/contact_form.html", form=form, entry=entry, contact=contact
    ), status


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
@login_required
def delete_contact(contact_id: int):
    contact = db.session.get(ContactPerson, contact_id) or abort(404)
    entry = _editable_entry(contact.entry_id)
    ConfirmForm().validate_on_submit() or abort(400)
    actions.do_delete_contact(current_user, contact)
    flash(_("Contact person removed."), "info")
    return redirect(url_for("directory.state_page", code=entry.state_code, _anchor=f"e{entry.id}"))


@bp.route("/contacts/<int:contact_id>.vcf")
@login_required
def contact_vcard(contact_id: int):
    """Contact persons are for members only, whatever the State's setting."""
    contact = db.session.get(ContactPerson, contact_id) or abort(404)
    live_entry_or_404(contact.entry_id, current_user)
    response = Response(export.vcard(contact), mimetype="text/vcard")
    response.headers["Content-Disposition"] = f'attachment; filename="contact-{contact.id}.vcf"'
    return response


@bp.route("/<code>/profile", methods=["GET", "POST"])
@login_required
def edit_profile(code: str):
    state = editable_state_or_403(code, current_user)
    form = ProfileForm(obj=None if request.method == "POST" else state)
    if request.method == "GET":
        form.treaties.data = treaties_text(state.treaties)
    visibility_form = VisibilityForm(visibility=state.visibility)
    if form.validate_on_submit():
        try:
            changed = actions.do_update_profile(current_user, state, _form_raw(form))
        except actions.ActionError as error:
            _show_errors(form, error)
        else:
            flash(_("State profile updated.") if changed else _("No changes to save."), "info")
            return redirect(url_for("directory.state_page", code=state.code, _anchor="profile"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "directory/profile_form.html", form=form, state=state, visibility_form=visibility_form
    ), status


@bp.route("/<code>/visibility", methods=["POST"])
@login_required
def set_visibility(code: str):
    state = editable_state_or_403(code, current_user)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    actions.do_set_visibility(current_user, state, form.visibility.data)
    flash(_("Visibility saved."), "info")
    return redirect(url_for("directory.state_page", code=state.code))


@bp.route("/<code>/history")
@login_required
def history(code: str):
    state = visible_state_or_404(code, current_user)
    query = (
        sa.select(Revision)
        .where(Revision.state_code == state.code)
        .options(so.joinedload(Revision.actor), so.joinedload(Revision.entry))
        .order_by(Revision.id.desc())
        .limit(200)
    )
    entry_id = request.args.get("entry", type=int)
    if entry_id:
        query = query.where(Revision.entry_id == entry_id)
    revisions = db.session.scalars(query).all()
    return render_template(
        "directory/history.html",
        state=state,
        revisions=revisions,
        labels=FIELD_LABELS,
        designations=DESIGNATIONS,
        channels=CHANNELS,
        can_edit=can_edit_state(current_user, state),
        confirm_form=ConfirmForm(),
    )


@bp.route("/revisions/<int:revision_id>/restore", methods=["POST"])
@login_required
def restore(revision_id: int):
    revision = db.session.get(Revision, revision_id) or abort(404)
    state = editable_state_or_403(revision.state_code, current_user)
    ConfirmForm().validate_on_submit() or abort(400)
    changed = actions.do_restore(current_user, revision)
    flash(
        _("Revision restored.") if changed else _("That revision matches the current data."),
        "info",
    )
    return redirect(url_for("directory.history", code=state.code))
