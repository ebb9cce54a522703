"""Offline e-mail notices: who wrote, never what.

A member with messages from others that have waited unread for
CHAT_OFFLINE_NOTICE_DELAY_MINUTES, and no open socket, gets one e-mail per conversation
per CHAT_OFFLINE_NOTICE_INTERVAL_MINUTES. Run by ``flask chat send-offline-notices``
(cron, every minute) or inside the server with CHAT_OFFLINE_NOTICE_TASK=1.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import external_url
from forum.auth.models import Status
from forum.auth.models import User
from forum.chat import presence as presence_module
from forum.chat import realtime
from forum.chat.models import ConversationMember
from forum.chat.models import Message
from forum.db_types import utcnow
from forum.extensions import db


def send_offline_notices() -> int:
    """Send what is due; returns how many e-mails went out."""
    config = current_app.config
    now = utcnow()
    cutoff = now - timedelta(minutes=config["CHAT_OFFLINE_NOTICE_DELAY_MINUTES"])
    quiet_since = now - timedelta(minutes=config["CHAT_OFFLINE_NOTICE_INTERVAL_MINUTES"])
    member = ConversationMember
    due = db.session.execute(
        sa.select(member.id, sa.func.max(Message.id))
        .join(Message, Message.conversation_id == member.conversation_id)
        .join(User, User.id == member.user_id)
        .where(
            Message.id > member.last_read_message_id,
            Message.id > member.notified_up_to_id,
            Message.sender_id != member.user_id,
            Message.deleted_at.is_(None),
            Message.created_at <= cutoff,
            User.status == Status.ACTIVE,
            sa.or_(member.last_notice_at.is_(None), member.last_notice_at < quiet_since),
        )
        .group_by(member.id)
    ).all()
    sent = 0
    for member_id, newest in due:
        row = db.session.get(ConversationMember, member_id)
        status = realtime.presence().statuses([row.user_id])[row.user_id]
        if status != presence_module.OFFLINE:
            continue
        senders = db.session.scalars(
            sa.select(User)
            .join(Message, Message.sender_id == User.id)
            .where(
                Message.conversation_id == row.conversation_id,
                Message.id > max(row.last_read_message_id, row.notified_up_to_id),
                Message.id <= newest,
                Message.sender_id != row.user_id,
            )
            .distinct()
        ).all()
        names = ", ".join(sorted(u.display_name or u.email for u in senders))
        user = row.user
        with force_locale(user.preferred_language or config["BABEL_DEFAULT_LOCALE"]):
            mail.send(
                user.email,
                _("New messages on Liaison"),
                "chat_offline",
                senders=names,
                link=external_url("chat.conversation", conversation_id=row.conversation_id),
            )
        row.last_notice_at = now
        row.notified_up_to_id = newest
        db.session.commit()
        sent += 1
    return sent
