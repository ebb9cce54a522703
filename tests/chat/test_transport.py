"""gevent-websocket's unmasking and UTF-8 check done in C, and Socket.IO's binary test: same
results as the libraries'."""

from __future__ import annotations

import os

import pytest
from geventwebsocket.websocket import Header
from geventwebsocket.websocket import WebSocket
from socketio.packet import Packet

from forum.chat import transport
from forum.chat.transport import ChatPacket

ORIGINAL_UNMASK = Header.unmask_payload


@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 125, 126, 1000, 65_537])
def test_unmasking_matches_the_library(length):
    header = Header(fin=1, opcode=1, length=length)
    header.mask = os.urandom(4)
    payload = os.urandom(length)
    expected = ORIGINAL_UNMASK(header, payload)
    assert transport._unmask(header, payload) == expected
    assert transport._unmask(header, bytes(expected)) == bytearray(payload)


class _Socket(WebSocket):
    __slots__ = ("codes",)

    def close(self, code=1000, message=b""):
        self.codes.append(code)


def test_invalid_utf8_is_still_refused_when_the_message_is_decoded():
    transport.speed_up_websockets()
    assert Header.unmask_payload is transport._unmask
    socket = _Socket.__new__(_Socket)
    socket.codes = []
    socket.validate_utf8(b"\xff\xfe")  # no per-frame work left
    assert socket._decode_bytes("déjà".encode()) == "déjà"
    with pytest.raises(UnicodeError):
        socket._decode_bytes(b"ok \xff\xfe")
    assert socket.codes == [1007]


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        3,
        2.5,
        True,
        b"raw",
        bytearray(b"raw"),
        ["message", {"id": 1, "html": "<p>x</p>", "deleted": False, "attachment_id": None}],
        ["message", {"nested": [1, {"deep": [b"x"]}]}],
        {"a": [], "b": {}},
        [[], [bytearray()]],
        ("a", b"tuple"),
    ],
)
def test_binary_detection_matches_the_library(data):
    assert ChatPacket.data_is_binary(data) == Packet.data_is_binary(data)
