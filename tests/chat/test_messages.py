"""Sending over sockets: persistence and acks, idempotent client ids, order, catch-up after a
reconnect, error acknowledgements, edit/delete window, read receipts, typing and presence."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.chat.models import ConversationMember
from forum.chat.models import Message
from forum.extensions import db
from tests.chat.helpers import direct_between
from tests.factories import make_user


def _count_messages() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Message.id)))


def test_send_persists_then_reaches_the_other_member(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice, bob = sockets(member), sockets(other)
    ack = alice.emit(
        "send", {"conversation_id": conversation.id, "client_id": "c1", "body": "**Hello**"}
    )
    assert ack["ok"] and ack["id"] and not ack["duplicate"]
    stored = db.session.get(Message, ack["id"])
    assert stored.body == "**Hello**"
    [delivered] = bob.received("message")
    assert delivered["id"] == ack["id"]
    assert delivered["html"] == "<p><strong>Hello</strong></p>\n"
    assert delivered["client_id"] == "c1"


def test_markup_is_sanitised(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    body = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    ack = alice.emit("send", {"conversation_id": conversation.id, "client_id": "c", "body": body})
    html = db.session.get(Message, ack["id"]).body_html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_same_client_id_is_stored_once(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    payload = {"conversation_id": conversation.id, "client_id": "same", "body": "once"}
    first = alice.emit("send", payload)
    second = alice.emit("send", payload)
    assert first["id"] == second["id"]
    assert second["duplicate"] is True
    assert _count_messages() == 1


def test_order_is_server_id_order(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice, bob = sockets(member), sockets(other)
    ids = []
    for n in range(5):
        sender = alice if n % 2 else bob
        ack = sender.emit(
            "send", {"conversation_id": conversation.id, "client_id": f"m{n}", "body": f"{n}"}
        )
        ids.append(ack["id"])
    assert ids == sorted(ids)
    history = alice.emit("history", {"conversation_id": conversation.id})
    assert [m["id"] for m in history["messages"]] == ids


def test_catch_up_returns_exactly_the_missed_messages(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice, bob = sockets(member), sockets(other)
    seen = alice.emit("send", {"conversation_id": conversation.id, "client_id": "a", "body": "1"})
    bob.disconnect()
    missed = [
        alice.emit(
            "send", {"conversation_id": conversation.id, "client_id": f"b{n}", "body": str(n)}
        )["id"]
        for n in range(3)
    ]
    bob.connect()
    caught = bob.emit("sync", {"last_id": seen["id"]})
    assert [m["id"] for m in caught["messages"]] == missed
    assert bob.emit("sync", {"last_id": missed[-1]})["messages"] == []


def test_bad_input_gets_an_error_ack_and_stores_nothing(app, sockets, member):
    app.config["CHAT_MAX_MESSAGE_LENGTH"] = 20
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    cases = {
        "empty": {"conversation_id": conversation.id, "client_id": "e", "body": "   "},
        "too_long": {"conversation_id": conversation.id, "client_id": "l", "body": "x" * 21},
        "not_found": {"conversation_id": 999999, "client_id": "u", "body": "hi"},
        "invalid": {"conversation_id": conversation.id, "client_id": "", "body": "hi"},
    }
    for code, payload in cases.items():
        ack = alice.emit("send", payload)
        assert ack["ok"] is False and ack["error"] == code, (code, ack)
        assert ack["message"]
    assert alice.emit("send", "not a dict")["error"] == "invalid"
    assert _count_messages() == 0


def test_rate_limit_refuses_a_flood(app, sockets, member):
    app.config.update(CHAT_RATE_BURST=3, CHAT_RATE_PER_SECOND=0.001)
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    acks = [
        alice.emit("send", {"conversation_id": conversation.id, "client_id": str(n), "body": "x"})
        for n in range(5)
    ]
    assert [a["ok"] for a in acks] == [True, True, True, False, False]
    assert acks[-1]["error"] == "rate_limited"
    assert _count_messages() == 3


def test_edit_and_delete_own_message_within_window(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice, bob = sockets(member), sockets(other)
    sent = alice.emit("send", {"conversation_id": conversation.id, "client_id": "e", "body": "v1"})
    assert bob.emit("edit", {"message_id": sent["id"], "body": "hijack"})["error"] == "forbidden"
    edited = alice.emit("edit", {"message_id": sent["id"], "body": "v2"})
    assert edited["ok"] and edited["message"]["edited"]
    assert bob.received("message_updated")[-1]["html"] == "<p>v2</p>\n"
    deleted = alice.emit("delete", {"message_id": sent["id"]})
    assert deleted["message"]["deleted"] and deleted["message"]["html"] == ""
    assert db.session.get(Message, sent["id"]).body == ""


def test_edit_refused_after_fifteen_minutes(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    sent = alice.emit("send", {"conversation_id": conversation.id, "client_id": "o", "body": "v1"})
    message = db.session.get(Message, sent["id"])
    message.created_at = message.created_at - timedelta(minutes=16)
    db.session.commit()
    assert alice.emit("edit", {"message_id": sent["id"], "body": "v2"})["error"] == "too_late"
    assert alice.emit("delete", {"message_id": sent["id"]})["error"] == "too_late"


def test_read_receipts_and_the_opt_out(app, sockets, member):
    from forum.chat import actions

    other = make_user()
    conversation = direct_between(member, other)
    alice, bob = sockets(member), sockets(other)
    sent = alice.emit("send", {"conversation_id": conversation.id, "client_id": "r", "body": "?"})
    assert actions.unread_counts(other.id) == {conversation.id: 1}
    bob.emit("read", {"conversation_id": conversation.id, "message_id": sent["id"]})
    assert alice.received("read") == [
        {"conversation_id": conversation.id, "user_id": other.id, "message_id": sent["id"]}
    ]
    assert actions.unread_counts(other.id) == {}
    # Bob stops sending receipts: his reads go unannounced and he sees nobody's.
    actions.do_set_receipts(other, False)
    again = alice.emit("send", {"conversation_id": conversation.id, "client_id": "s", "body": "!"})
    bob.emit("read", {"conversation_id": conversation.id, "message_id": again["id"]})
    assert alice.received("read") == []
    assert bob.emit("receipts", {"conversation_id": conversation.id})["read"] == {}
    alice.emit("read", {"conversation_id": conversation.id, "message_id": again["id"]})
    assert bob.received("read") == []


def test_typing_goes_to_the_others_only(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice, bob = sockets(member), sockets(other)
    alice.emit("typing", {"conversation_id": conversation.id})
    assert bob.received("typing")[0]["user_id"] == member.id
    assert alice.received("typing") == []


def test_presence_online_away_offline(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    bob = sockets(other)
    alice = sockets(member)
    assert {"user_id": member.id, "status": "online"} in bob.received("presence")
    who = bob.emit("who", {"conversation_id": conversation.id})["presence"]
    assert who == {str(member.id): "online", str(other.id): "online"}
    alice.emit("presence", {"state": "away"})
    assert bob.received("presence") == [{"user_id": member.id, "status": "away"}]
    alice.disconnect()
    assert bob.received("presence") == [{"user_id": member.id, "status": "offline"}]


def test_sender_has_read_their_own_message(app, sockets, member):
    other = make_user()
    conversation = direct_between(member, other)
    alice = sockets(member)
    sent = alice.emit("send", {"conversation_id": conversation.id, "client_id": "x", "body": "x"})
    db.session.expire_all()
    row = db.session.scalar(
        sa.select(ConversationMember).where(ConversationMember.user_id == member.id)
    )
    assert row.last_read_message_id == sent["id"]
