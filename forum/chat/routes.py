"""Chat pages: the conversation list, one conversation, and management forms.

Pages render the newest history server-side; chat.js then keeps them live over Socket.IO.
A conversation the viewer is not in answers 404, whether or not it exists.
"""

from __future__ import annotations

import secrets

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
from forum.chat import actions
from forum.chat import bp
from forum.chat import queries
from forum.chat.forms import AddMemberForm
from forum.chat.forms import GroupForm
from forum.chat.forms import ReceiptsForm
from forum.chat.forms import RenameForm
from forum.chat.forms import StartDirectForm
from forum.errors import render_error
from forum.security.access import login_required

header_counts.register("chat_unread", lambda user, now: queries.total_unread_query(user.id))


def _refused(error: actions.ChatError, template: str | None = None, **context):
    if error.status == 404:
        abort(404)
    return render_error(error.status, error.message, draft=dict(request.form))


@bp.route("/")
@login_required
def index():
    query = request.args.get("q", "").strip()[:100]
    conversations = actions.conversations_for(current_user.id)
    return render_template(
        "chat/index.html",
        conversations=conversations,
        unread=actions.unread_counts(current_user.id),
        title_of=lambda c: actions.display_title(c, current_user.id),
        query=query,
        people=actions.search_members(current_user.id, query) if query else [],
        group_form=GroupForm(),
        direct_form=StartDirectForm(),
        receipts_form=ReceiptsForm(read_receipts=actions.wants_receipts(current_user.id)),
    )


@bp.route("/search")
@login_required
def search():
    text = request.args.get("q", "").strip()[:200]
    results = actions.search(current_user.id, text) if text else []
    return render_template("chat/search.html", text=text, results=results)


@bp.route("/<int:conversation_id>")
@login_required
def conversation(conversation_id: int):
    member = actions.membership(current_user.id, conversation_id)
    if member is None:
        abort(404)
    conv = member.conversation
    messages = actions.history(conv.id)
    query = request.args.get("q", "").strip()[:100]
    return render_template(
        "chat/conversation.html",
        conversation=conv,
        member=member,
        title=actions.display_title(conv, current_user.id),
        messages=messages,
        complete=len(messages) < actions.PAGE_SIZE,
        payload=actions.message_payload,
        query=query,
        people=actions.search_members(current_user.id, query) if query and member.is_owner else [],
        rename_form=RenameForm(title=conv.title),
        add_form=AddMemberForm(),
        can_edit_window=int(actions.EDIT_WINDOW.total_seconds()),
        # A fresh id per page: the same upload form sent twice stores one message.
        file_client_id="file-" + secrets.token_hex(12),
        draft=None,
        max_length=current_app.config["CHAT_MAX_MESSAGE_LENGTH"],
    )


@bp.route("/direct", methods=["POST"])
@login_required
def start_direct():
    form = StartDirectForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        conv = actions.do_start_direct(current_user, form.user_id.data)
    except actions.ChatError as error:
        return _refused(error)
    return redirect(url_for("chat.conversation", conversation_id=conv.id))


@bp.route("/groups", methods=["POST"])
@login_required
def create_group():
    form = GroupForm()
    if not form.validate_on_submit():
        return render_error(400, _("Give the group a name."), draft=dict(request.form))
    ids = [part for part in (form.member_ids.data or "").split(",") if part.strip()]
    try:
        conv = actions.do_create_group(current_user, form.title.data, ids)
    except actions.ChatError as error:
        return _refused(error)
    return redirect(url_for("chat.conversation", conversation_id=conv.id))


@bp.route("/<int:conversation_id>/rename", methods=["POST"])
@login_required
def rename(conversation_id: int):
    form = RenameForm()
    if not form.validate_on_submit():
        return render_error(400, _("Give the group a name."), draft=dict(request.form))
    try:
        actions.do_rename(current_user, conversation_id, form.title.data)
    except actions.ChatError as error:
        return _refused(error)
    flash(_("The group was renamed."), "success")
    return redirect(url_for("chat.conversation", conversation_id=conversation_id))


@bp.route("/<int:conversation_id>/members", methods=["POST"])
@login_required
def add_member(conversation_id: int):
    form = AddMemberForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        actions.do_add_members(current_user, conversation_id, [form.user_id.data])
    except actions.ChatError as error:
        return _refused(error)
    flash(_("Member added."), "success")
    return redirect(url_for("chat.conversation", conversation_id=conversation_id))


@bp.route("/<int:conversation_id>/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(conversation_id: int, user_id: int):
    try:
        actions.do_remove_member(current_user, conversation_id, user_id)
    except actions.ChatError as error:
        return _refused(error)
    if user_id == current_user.id:
        flash(_("You left the group."), "success")
        return redirect(url_for("chat.index"))
    flash(_("Member removed."), "success")
    return redirect(url_for("chat.conversation", conversation_id=conversation_id))


@bp.route("/settings", methods=["POST"])
@login_required
def settings():
    form = ReceiptsForm()
    if not form.validate_on_submit():
        return render_error(400)
    actions.do_set_receipts(current_user, form.read_receipts.data)
    flash(_("Chat settings saved."), "success")
    return redirect(url_for("chat.index"))
