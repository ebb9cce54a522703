"""Cheaper per-message work under the transport, with the libraries' results.

gevent-websocket's per-byte work is done by CPython's C code, in gevent server processes.

Without its optional C accelerator (wsaccel, not installed), gevent-websocket unmasks every
frame a client sends one byte at a time in Python and checks UTF-8 twice per message with a
Python state machine: about a tenth of a chat server's CPU per message. The same results:
unmasking is one XOR of two big integers; UTF-8 is checked when the library decodes the
message (``bytes.decode``), which it does anyway and which closes the socket with 1007 on
invalid input, as the validator did.
"""

from __future__ import annotations

import socketio


def _unmask(header, payload) -> bytearray:
    length = len(payload)
    if not length:
        return bytearray()
    mask = (bytes(header.mask) * (length // 4 + 1))[:length]
    data = int.from_bytes(payload, "little") ^ int.from_bytes(mask, "little")
    return bytearray(data.to_bytes(length, "little"))


def _validated_on_decode(websocket, payload) -> None:
    """Checked by ``WebSocket._decode_bytes`` once the message is complete."""


def speed_up_websockets() -> None:
    from geventwebsocket.websocket import Header
    from geventwebsocket.websocket import WebSocket

    Header.mask_payload = Header.unmask_payload = _unmask
    WebSocket.validate_utf8 = _validated_on_decode


class ChatPacket(socketio.packet.Packet):
    """python-socketio's packet with a cheaper test for binary data (same answers).

    Every emitted event and acknowledgement asks whether its payload holds bytes; the
    library answers by building a list and a ``reduce`` at every level of the message.
    """

    @classmethod
    def data_is_binary(cls, data) -> bool:
        kind = type(data)
        if kind is str or kind is int or data is None or kind is bool or kind is float:
            return False
        if isinstance(data, (bytes, bytearray)):
            return True
        if isinstance(data, list):
            values = data
        elif isinstance(data, dict):
            values = data.values()
        else:
            return False
        for value in values:
            if cls.data_is_binary(value):
                return True
        return False
