"""Files in conversations, through the attachment store shared with discussions.

The upload is checked and stored by :func:`forum.discussions.attachments.store_upload`; the
message that carries it is sent like any other (:func:`forum.chat.messages.do_send`), in
the same transaction. Downloads are for members of the conversation only, while the
message is not deleted; anyone else gets "not found".
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from forum.auth.models import User
from forum.chat.errors import ChatError
from forum.chat.messages import Sent
from forum.chat.messages import check_body
from forum.chat.messages import check_client_id
from forum.chat.messages import do_send
from forum.chat.models import ConversationMember
from forum.chat.models import Message
from forum.chat.queries import require_member
from forum.discussions.attachments import AttachmentError
from forum.discussions.attachments import delete_stored_file
from forum.discussions.attachments import store_upload
from forum.discussions.models import Attachment
from forum.extensions import db


def do_send_file(user: User, conversation_id, client_id, file, caption: str = "") -> Sent:
    """Store the file and send it as a message (with an optional caption), or nothing."""
    member = require_member(user.id, conversation_id)
    client_id = check_client_id(client_id)
    caption = check_body(caption) if (caption or "").strip() else ""
    if file is None or not getattr(file, "filename", ""):
        raise ChatError("invalid", _l("Choose a file to send."))
    try:
        attachment = store_upload(file, user)
    except AttachmentError as error:
        db.session.rollback()
        raise ChatError("invalid_file", error.message, error.status) from None
    try:
        sent, created = do_send(
            user,
            member.conversation_id,
            client_id,
            caption,
            attachment_id=attachment.id,
            attachment_name=attachment.original_name,
        )
    except BaseException:
        db.session.rollback()
        delete_stored_file(attachment)
        raise
    if not created:
        # The same form sent twice: the first upload is the message's; drop this copy.
        db.session.delete(db.session.get(Attachment, attachment.id))
        db.session.commit()
        delete_stored_file(attachment)
    return sent


def attachment_for(user_id: int, attachment_id: int) -> Attachment | None:
    """The file of a live message in one of the user's conversations, else None."""
    allowed = db.session.scalar(
        sa.select(Message.id)
        .join(
            ConversationMember,
            sa.and_(
                ConversationMember.conversation_id == Message.conversation_id,
                ConversationMember.user_id == user_id,
            ),
        )
        .where(Message.attachment_id == attachment_id, Message.deleted_at.is_(None))
        .limit(1)
    )
    return db.session.get(Attachment, attachment_id) if allowed else None
