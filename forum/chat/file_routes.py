"""Sending and downloading files in a conversation (plain HTML forms, no script needed)."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.chat import bp
from forum.chat import files
from forum.chat.errors import ChatError
from forum.chat.queries import membership
from forum.discussions.attachments import send_attachment
from forum.errors import render_error
from forum.security.access import login_required


@bp.route("/<int:conversation_id>/files", methods=["POST"])
@login_required
def send_file(conversation_id: int):
    if membership(current_user.id, conversation_id) is None:
        abort(404)
    try:
        sent = files.do_send_file(
            current_user,
            conversation_id,
            request.form.get("client_id"),
            request.files.get("file"),
            request.form.get("caption", ""),
        )
    except ChatError as error:
        if error.status == 404:
            abort(404)
        return render_error(error.status, error.message, draft=dict(request.form))
    flash(_("File sent."), "success")
    return redirect(
        url_for("chat.conversation", conversation_id=conversation_id, _anchor=f"m{sent.id}")
    )


@bp.route("/files/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = files.attachment_for(current_user.id, attachment_id)
    if attachment is None:
        abort(404)
    return send_attachment(attachment)
