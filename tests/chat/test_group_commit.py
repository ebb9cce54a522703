"""Group commit: sends arriving while one is being written go out together next, each caller
answered only after its batch's commit; on PostgreSQL one statement stores a batch with the
membership check, idempotency by client id and id order of arrival."""

from __future__ import annotations

import threading
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from forum.chat import sendpool
from forum.chat.messages import write_batch
from forum.chat.models import Conversation
from forum.chat.models import ConversationMember
from forum.chat.models import Message
from forum.db_types import utcnow
from forum.extensions import db
from tests.chat.helpers import direct_between
from tests.chat.helpers import wait_until
from tests.factories import make_user


def test_sends_arriving_during_a_write_go_out_together_next():
    gate = threading.Event()
    batches, results = [], {}

    def write(items):
        batches.append(list(items))
        if len(batches) == 1:
            gate.wait(5)
        return [item * 10 for item in items]

    group = sendpool.GroupCommit(write)

    def send(item):
        results[item] = group.submit(item)

    first = threading.Thread(target=send, args=(1,))
    first.start()
    wait_until(lambda: batches)
    others = [threading.Thread(target=send, args=(n,)) for n in (2, 3, 4)]
    for thread in others:
        thread.start()
    wait_until(lambda: group._open is not None and len(group._open.items) == 3)
    assert results == {}  # nobody is answered before their batch is written
    gate.set()
    for thread in [first, *others]:
        thread.join(5)
    assert batches[0] == [1] and sorted(batches[1]) == [2, 3, 4] and len(batches) == 2
    assert results == {1: 10, 2: 20, 3: 30, 4: 40}
    assert group.submit(5) == 50 and batches[-1] == [5]  # idle again: written at once


def test_a_failed_batch_fails_each_of_its_sends_and_the_next_batch_still_goes():
    gate = threading.Event()
    calls = []

    def write(items):
        calls.append(list(items))
        if len(calls) == 1:
            gate.wait(5)
            raise ConnectionError("database gone")
        return list(items)

    group = sendpool.GroupCommit(write)
    outcome = {}

    def send(item):
        try:
            outcome[item] = group.submit(item)
        except ConnectionError as error:
            outcome[item] = error

    threads = [threading.Thread(target=send, args=(1,))]
    threads[0].start()
    wait_until(lambda: calls)
    threads.append(threading.Thread(target=send, args=(2,)))
    threads[-1].start()
    wait_until(lambda: group._open is not None)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert isinstance(outcome[1], ConnectionError) and outcome[2] == 2


@pytest.mark.postgres_only
def test_one_statement_stores_a_batch_once_each_in_arrival_order(app, member):
    other, stranger = make_user(), make_user()
    conversation = direct_between(member, other)
    conversation_id, member_id = conversation.id, member.id
    db.session.add(Message(conversation_id=conversation_id, sender_id=member_id, client_id="old"))
    db.session.commit()
    now = utcnow()

    def item(uid, client_id, seconds=0):
        return {
            "cid": conversation_id,
            "uid": uid,
            "client_id": client_id,
            "body": client_id,
            "html": f"<p>{client_id}</p>\n",
            "attachment": None,
            "attachment_name": "",
            "now": now + timedelta(seconds=seconds),
        }

    batch = [
        item(member_id, "a"),
        item(stranger.id, "intruder"),
        item(other.id, "b", 1),
        item(member_id, "a"),  # the same send twice in one batch
        item(member_id, "old"),  # stored before
        item(member_id, "c", 2),
    ]
    pool = sendpool.SendPool(
        sa.make_url(db.engine.url).set(drivername="postgresql").render_as_string(False), 2
    )
    try:
        ids = write_batch(pool, batch)
        alone = write_batch(pool, [item(other.id, "d", 3)])  # a batch of one: scalar statement
        again = write_batch(pool, [item(other.id, "d", 3)])
        outsider = write_batch(pool, [item(stranger.id, "e", 3)])
    finally:
        pool.close()
    assert alone[0] > ids[5] and again == [None] and outsider == [None]
    assert ids[1] is None and ids[3] is None and ids[4] is None
    assert ids[0] < ids[2] < ids[5]
    db.session.expire_all()
    stored = db.session.scalars(
        sa.select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    ).all()
    assert [m.client_id for m in stored] == ["old", "a", "b", "c", "d"]
    assert [m.sender_id for m in stored[1:]] == [member_id, other.id, member_id, other.id]
    assert stored[2].created_at == now + timedelta(seconds=1)
    assert db.session.get(Conversation, conversation_id).last_message_id == alone[0]
    markers = dict(
        db.session.execute(
            sa.select(ConversationMember.user_id, ConversationMember.last_read_message_id).where(
                ConversationMember.conversation_id == conversation_id
            )
        ).all()
    )
    assert markers == {member_id: ids[5], other.id: alone[0]}


@pytest.mark.postgres_only
def test_a_send_statement_cannot_hang_the_process(app):
    """The server cancels a statement past the pool's timeout: the batch fails, the next runs."""
    url = sa.make_url(db.engine.url).set(drivername="postgresql").render_as_string(False)
    pool = sendpool.SendPool(url, 1, statement_timeout_ms=200)
    commit = sendpool.GroupCommit(lambda items: [_sleep(pool, seconds) for seconds in items])
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            commit.submit(2)
        assert commit.submit(0) == 0
    finally:
        pool.close()


def _sleep(pool, seconds: float) -> int:
    with pool.connection() as conn:
        conn.execute("SELECT pg_sleep(%s)", (seconds,))
    return 0
