"""Demo chat: one direct conversation between the two demo members, marked as demo, unread for
the one who did not write last (writing reads what came before); loading twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from forum.chat import demo
from forum.chat.models import Conversation
from forum.chat.models import Message
from forum.chat.queries import unread_counts
from forum.extensions import db
from tests.factories import make_user


def test_demo_conversation(app):
    assert demo.load() == 0  # no demo members: nothing
    ana = make_user(email=demo.PEOPLE[0])
    kwame = make_user(email=demo.PEOPLE[1])
    conversation_id = demo.load()
    assert conversation_id
    assert demo.load() == conversation_id  # the same pair, the same client ids: stored once
    bodies = db.session.scalars(sa.select(Message.body).order_by(Message.id)).all()
    assert len(bodies) == len(demo.EXCHANGE) and "demo" in bodies[0]
    assert db.session.scalar(sa.select(sa.func.count(Conversation.id))) == 1
    # Writing reads what came before: Kwame has Ana's last message to read, Ana nothing.
    assert unread_counts(kwame.id) == {conversation_id: 1}
    assert unread_counts(ana.id) == {}
