"""Two-process chat: emits made while a publish is in flight go to Redis as one message, each
emit returning only once published; other processes unpack it in order, and ignore their own."""

from __future__ import annotations

import json
import threading

import socketio as python_socketio

from forum.chat.realtime import ChatRedisManager
from tests.chat.helpers import wait_until


def _manager(published, handled, gate=None):
    manager = ChatRedisManager("redis://127.0.0.1:1/0", channel="test")  # never connects

    def publish(data):
        published.append(data)
        if gate is not None and len(published) == 1:
            gate.wait(5)

    manager._publish = publish
    manager._handle_emit = handled.append
    return manager


def test_emits_during_a_publish_go_out_as_one_message():
    published, handled, returned = [], [], []
    gate = threading.Event()
    manager = _manager(published, handled, gate)

    def emit(n):
        manager.emit("message", {"id": n}, namespace="/", room=f"conv:{n}", skip_sid=f"s{n}")
        returned.append(n)

    first = threading.Thread(target=emit, args=(1,))
    first.start()
    wait_until(lambda: published)
    others = [threading.Thread(target=emit, args=(n,)) for n in (2, 3)]
    for thread in others:
        thread.start()
    wait_until(lambda: len(handled) == 3)  # this process's sockets at once
    assert returned == []  # nobody returns before their publish
    gate.set()
    for thread in [first, *others]:
        thread.join(5)
    assert sorted(returned) == [1, 2, 3] and len(published) == 2
    assert published[0]["method"] == "emit" and published[0]["data"] == [{"id": 1}]
    batch = published[1]
    assert batch["method"] == "emit_many" and batch["host_id"] == manager.host_id
    assert sorted(m["data"][0]["id"] for m in batch["messages"]) == [2, 3]
    assert {m["room"] for m in batch["messages"]} == {"conv:2", "conv:3"}


def test_other_processes_unpack_a_batch_in_order_and_skip_their_own(monkeypatch):
    handled = []
    manager = _manager([], handled)
    items = [{"method": "emit", "event": "message", "data": [{"id": n}]} for n in (1, 2)]
    raw = [
        json.dumps({"method": "emit_many", "messages": items, "host_id": "other"}),
        json.dumps({"method": "emit_many", "messages": items, "host_id": manager.host_id}),
        json.dumps({"method": "leave_room", "host_id": "other"}),
        "not json",
    ]
    monkeypatch.setattr(python_socketio.RedisManager, "_listen", lambda self: iter(raw))
    passed_on = list(manager._listen())
    assert handled == items
    assert passed_on == [{"method": "leave_room", "host_id": "other"}]
