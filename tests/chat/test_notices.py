"""Offline e-mail: after the delay, only to offline members, who wrote but never the content,
at most one per conversation per hour."""

from __future__ import annotations

from datetime import timedelta

from forum.chat import actions
from forum.chat.models import Message
from forum.chat.notices import send_offline_notices
from forum.extensions import db
from tests.auth.helpers import mail_text
from tests.chat.helpers import direct_between
from tests.factories import make_user


def _age(sent, minutes):
    message = db.session.get(Message, sent.id)
    message.created_at = message.created_at - timedelta(minutes=minutes)
    db.session.commit()


def test_offline_member_is_told_who_wrote_once_an_hour(app, outbox, member):
    writer = make_user(display_name="Carla Writer")
    conversation = direct_between(writer, member)
    message, _ = actions.do_send(writer, conversation.id, "1", "confidential detail")
    assert send_offline_notices() == 0  # not yet: the delay has not passed
    _age(message, 6)
    assert send_offline_notices() == 1
    [mail] = outbox
    assert mail["To"] == member.email
    text = mail_text(mail)
    assert "Carla Writer" in text and "confidential" not in text
    later, _ = actions.do_send(writer, conversation.id, "2", "more")
    _age(later, 6)
    assert send_offline_notices() == 0  # one per conversation per hour
    assert len(outbox) == 1


def test_online_member_gets_no_mail(app, outbox, sockets, member):
    writer = make_user()
    conversation = direct_between(writer, member)
    sockets(member)
    message, _ = actions.do_send(writer, conversation.id, "1", "hi")
    _age(message, 6)
    assert send_offline_notices() == 0
    assert outbox == []


def test_read_messages_send_no_mail(app, outbox, member):
    writer = make_user()
    conversation = direct_between(writer, member)
    message, _ = actions.do_send(writer, conversation.id, "1", "hi")
    actions.do_mark_read(member, conversation.id, message.id)
    _age(message, 6)
    assert send_offline_notices() == 0


def test_cli_command(app, outbox, member):
    writer = make_user()
    conversation = direct_between(writer, member)
    message, _ = actions.do_send(writer, conversation.id, "1", "hi")
    _age(message, 6)
    result = app.test_cli_runner().invoke(args=["chat", "send-offline-notices"])
    assert "1 notice(s) sent" in result.output
