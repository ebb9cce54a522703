"""Forged events: a member outside a conversation can neither read, send, join nor watch it;
removal takes a socket out of the room at once; pages answer 404 to outsiders."""

from __future__ import annotations

import pytest

from forum.chat import actions
from tests.chat.helpers import direct_between
from tests.chat.helpers import group_of
from tests.factories import make_user

FORGED = [
    ("send", {"client_id": "f", "body": "intrusion"}),
    ("history", {}),
    ("sync", {"last_id": 0}),
    ("join", {}),
    ("typing", {}),
    ("read", {"message_id": 1}),
    ("who", {}),
    ("receipts", {}),
]


@pytest.mark.parametrize(("event", "extra"), FORGED)
def test_outsider_events_are_refused(app, sockets, member, event, extra):
    a, b = make_user(), make_user()
    conversation = direct_between(a, b)
    actions.do_send(a, conversation.id, "secret", "the secret")
    intruder = sockets(member)
    ack = intruder.emit(event, {"conversation_id": conversation.id, **extra})
    assert ack["ok"] is False and ack["error"] == "not_found"
    assert "the secret" not in str(ack)


def test_outsider_does_not_receive_the_rooms_traffic(app, sockets, member):
    a, b = make_user(), make_user()
    conversation = direct_between(a, b)
    intruder = sockets(member)
    intruder.emit("join", {"conversation_id": conversation.id})
    sender = sockets(a)
    sender.emit("send", {"conversation_id": conversation.id, "client_id": "1", "body": "x"})
    sender.emit("typing", {"conversation_id": conversation.id})
    assert intruder.received("message") == [] and intruder.received("typing") == []


def test_outsider_cannot_edit_or_delete(app, sockets, member):
    a, b = make_user(), make_user()
    conversation = direct_between(a, b)
    message, _ = actions.do_send(a, conversation.id, "m", "original")
    intruder = sockets(member)
    assert intruder.emit("edit", {"message_id": message.id, "body": "x"})["error"] == "not_found"
    assert intruder.emit("delete", {"message_id": message.id})["error"] == "not_found"


def test_removal_kicks_the_socket_out_of_the_room(app, sockets, member):
    owner, other = make_user(), make_user()
    group = group_of(owner, member, other)
    removed = sockets(member)
    writer = sockets(owner)
    writer.emit("send", {"conversation_id": group.id, "client_id": "1", "body": "before"})
    assert len(removed.received("message")) == 1
    actions.do_remove_member(owner, group.id, member.id)
    assert removed.received("conversation_removed") == [{"conversation_id": group.id}]
    writer.emit("send", {"conversation_id": group.id, "client_id": "2", "body": "after"})
    assert removed.received("message") == []
    ack = removed.emit("send", {"conversation_id": group.id, "client_id": "3", "body": "x"})
    assert ack["error"] == "not_found"


def test_added_member_joins_the_room_live(app, sockets, member):
    owner = make_user()
    group = group_of(owner)
    newcomer = sockets(member)
    actions.do_add_members(owner, group.id, [member.id])
    assert newcomer.received("conversation_added") == [{"conversation_id": group.id}]
    sockets(owner).emit("send", {"conversation_id": group.id, "client_id": "1", "body": "hi"})
    assert len(newcomer.received("message")) == 1


def test_only_owners_manage_a_group(app, member):
    owner, other = make_user(), make_user()
    group = group_of(owner, member, other)
    with pytest.raises(actions.ChatError) as refused:
        actions.do_remove_member(member, group.id, other.id)
    assert refused.value.code == "forbidden"
    with pytest.raises(actions.ChatError):
        actions.do_rename(member, group.id, "Mine now")
    with pytest.raises(actions.ChatError):
        actions.do_add_members(member, group.id, [make_user().id])


def test_group_size_is_capped(app, member):
    people = [make_user() for _ in range(actions.MAX_GROUP_MEMBERS)]
    with pytest.raises(actions.ChatError) as refused:
        actions.do_create_group(member, "Too big", [p.id for p in people])
    assert refused.value.code == "too_many"


def test_conversation_page_is_404_for_outsiders(app, auth, client, member):
    a, b = make_user(), make_user()
    conversation = direct_between(a, b)
    auth.login(member)
    assert client.get(f"/chat/{conversation.id}").status_code == 404
    assert client.get("/chat/999999").status_code == 404
    answer = client.post(f"/chat/{conversation.id}/rename", data={"title": "x"})
    assert answer.status_code == 404


def test_search_only_finds_own_conversations(app, auth, client, member):
    a = make_user()
    mine = direct_between(member, a)
    theirs = direct_between(a, make_user())
    actions.do_send(a, mine.id, "1", "extradition request alpha")
    actions.do_send(a, theirs.id, "2", "extradition request beta")
    auth.login(member)
    page = client.get("/chat/search?q=extradition").get_data(as_text=True)
    assert "alpha" in page and "beta" not in page
