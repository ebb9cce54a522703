"""The send hot path: plain text skips Markdown with the same output as a discussion post;
the guard asks the database nothing per event (the send itself is the only statement: one on
PostgreSQL, sent straight to the driver, three on SQLite); the reserved autocommit pool stores
and recovers from a dead connection."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.chat import sendpool
from forum.chat.messages import render_body
from forum.chat.models import Message
from forum.discussions import markdown as discussions_markdown
from forum.extensions import db
from tests.chat.helpers import direct_between
from tests.factories import make_user

TABLE = "| a | b |\n| - | - |\n| 1 | 2 |"
IMAGES = "![seen](https://tracker.example/pixel.png) ![ours](/discussions/attachments/3)"
SAMPLES = [
    "ping",
    "Hello there",
    "Is the suspect released on Friday?",
    "Yes, at ten. Can you send the warrant today!",
    "Très bien, merci",
    "l'audience est reportée",
    "Ok",
    "1. not plain",
    "# heading",
    "**bold**",
    "a_b",
    "<script>x</script>",
    "line one\nline two",
    "see https://example.org",
    "- item",
    "3 witnesses",
    "x  y",
    TABLE,
    IMAGES,
    "```python\nx = 1\n```",
]
XSS = [
    line
    for line in (Path(__file__).parents[1] / "discussions" / "data" / "xss_payloads.txt")
    .read_text()
    .splitlines()
    if line.strip()
]


@pytest.mark.parametrize("text", SAMPLES + XSS)
def test_chat_renders_like_a_discussion_post(text):
    """One rule for what members write: a message's HTML is a post's, fast path or not."""
    assert render_body(text) == discussions_markdown.render(text)


def test_chat_uses_the_post_policy():
    html = render_body(IMAGES)
    assert 'src="/discussions/attachments/3"' in html and "tracker.example" not in html
    assert "<table" not in render_body(TABLE)
    assert render_body("<b onmouseover=x>hi</b>") == "<p>&lt;b onmouseover=x&gt;hi&lt;/b&gt;</p>\n"


@pytest.fixture
def statements(app):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


def test_a_send_is_only_its_own_statements(app, sockets, member, statements):
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    alice.emit("typing", {"conversation_id": conversation.id})  # warm the socket's state
    statements.clear()
    ack = alice.emit("send", {"conversation_id": conversation.id, "client_id": "1", "body": "hi"})
    assert ack["ok"] and ack["message"]["html"] == "<p>hi</p>\n"
    if db.engine.dialect.name == "postgresql":
        assert statements == []  # one statement, on the driver itself
    else:
        assert [s.split()[0] for s in statements] == ["INSERT", "UPDATE", "UPDATE"]
    assert db.session.get(Message, ack["id"]).body == "hi"


@pytest.mark.postgres_only
def test_reserved_pool_sends_and_survives_a_dead_connection(app, sockets, member):
    app.config["CHAT_SEND_POOL_SIZE"] = 2
    try:
        other = make_user()
        conversation = direct_between(member, other)
        alice = sockets(member)
        first = alice.emit(
            "send", {"conversation_id": conversation.id, "client_id": "a", "body": "a"}
        )
        assert first["ok"]
        pool = app.extensions["chat_send_pool"]
        with pool.connection() as conn:
            pid = conn.info.backend_pid
        with db.engine.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        failed = alice.emit(
            "send", {"conversation_id": conversation.id, "client_id": "b", "body": "b"}
        )
        assert failed == {"ok": False, "error": "server_error", "message": failed["message"]}
        again = alice.emit(
            "send", {"conversation_id": conversation.id, "client_id": "b", "body": "b"}
        )
        assert again["ok"] and not again["duplicate"]
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 2
    finally:
        app.config["CHAT_SEND_POOL_SIZE"] = 0
        pool = app.extensions.pop("chat_send_pool", None)
        if pool is not None:
            pool.close()
        assert sendpool.for_app(app) is None
