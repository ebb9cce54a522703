"""Two real server processes on different ports sharing PostgreSQL and Redis form one chat:
real python-socketio clients exchange messages both ways and see the same presence."""

from __future__ import annotations

import os
import uuid

import pytest
from flask_migrate import upgrade

from forum import create_app
from forum.extensions import db
from tests.auth.helpers import cookie_value
from tests.auth.helpers import logged_in_client
from tests.chat.helpers import direct_between
from tests.chat.processes import chat_servers
from tests.chat.processes import next_event
from tests.chat.processes import socket_client
from tests.databases import postgres_database
from tests.factories import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
EVENTS = ("message", "presence")


@pytest.fixture
def pg_app():
    """An app on a PostgreSQL database of this test's own (not parametrized: no SQLite run)."""
    base, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not base or not redis_url:
        pytest.skip("needs TEST_DATABASE_URL and TEST_REDIS_URL")
    with postgres_database(base, f"liaison_chat_two_{os.getpid()}") as url:
        application = create_app(
            "testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
        )
        with application.app_context():
            upgrade()
            yield application
            db.session.remove()
            db.engine.dispose()


def test_two_processes_form_one_chat(pg_app):
    app = pg_app
    redis_url = os.environ["TEST_REDIS_URL"]
    member, other = make_user(), make_user()
    conversation = direct_between(member, other)
    cookies = [cookie_value(logged_in_client(app, user)) for user in (member, other)]
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    with chat_servers(
        2, database=database, redis=redis_url, channel=f"liaison-test-{uuid.uuid4().hex}"
    ) as (first, second):
        alice, alice_inbox = socket_client(first, f"liaison_session={cookies[0]}", events=EVENTS)
        bob, bob_inbox = socket_client(second, f"liaison_session={cookies[1]}", events=EVENTS)
        try:
            ack = alice.call(
                "send",
                {"conversation_id": conversation.id, "client_id": "a1", "body": "from process one"},
                timeout=5,
            )
            assert ack["ok"]
            assert next_event(bob_inbox, "message")["id"] == ack["id"]
            reply = bob.call(
                "send",
                {"conversation_id": conversation.id, "client_id": "b1", "body": "from process two"},
                timeout=5,
            )
            received = next_event(alice_inbox, "message")
            while received["id"] != reply["id"]:  # alice also hears her own message
                received = next_event(alice_inbox, "message")
            assert received["html"] == "<p>from process two</p>\n"
            # Presence agrees across processes.
            seen_by_alice = alice.call("who", {"conversation_id": conversation.id}, timeout=5)
            seen_by_bob = bob.call("who", {"conversation_id": conversation.id}, timeout=5)
            both_online = {str(member.id): "online", str(other.id): "online"}
            assert seen_by_alice["presence"] == seen_by_bob["presence"] == both_online
            alice.disconnect()
            assert next_event(bob_inbox, "presence") == {"user_id": member.id, "status": "offline"}
            seen_by_bob = bob.call("who", {"conversation_id": conversation.id}, timeout=5)
            assert seen_by_bob["presence"][str(member.id)] == "offline"
        finally:
            for client in (alice, bob):
                if client.connected:
                    client.disconnect()
