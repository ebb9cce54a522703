"""Chat fixtures: signed-in Socket.IO test clients, each event in its own context like a server."""

from __future__ import annotations

import contextvars

import pytest

from forum.chat import connections
from forum.extensions import socketio
from tests.auth.helpers import logged_in_client


def _first(args):
    return args[0] if isinstance(args, list) and args else args


class SocketClient:
    """A Socket.IO test client carrying a browser's Flask cookie; every call isolated."""

    def __init__(self, app, flask_client, **kwargs):
        self.flask = flask_client
        self.inner = contextvars.Context().run(
            socketio.test_client, app, flask_test_client=flask_client, **kwargs
        )

    def _run(self, fn, *args, **kwargs):
        return contextvars.Context().run(fn, *args, **kwargs)

    def emit(self, event, data=None):
        """Send an event and return the server's acknowledgement."""
        return self._run(self.inner.emit, event, data, callback=True)

    def received(self, name: str | None = None) -> list:
        events = self._run(self.inner.get_received)
        return [_first(e.get("args")) for e in events if name is None or e["name"] == name]

    @property
    def connected(self) -> bool:
        return self.inner.is_connected()

    def disconnect(self):
        if self.connected:
            self._run(self.inner.disconnect)

    def connect(self, **kwargs):
        self._run(self.inner.connect, **kwargs)


@pytest.fixture
def sockets(app):
    """``sockets(user)`` signs a new browser in as ``user`` and opens a socket with its cookie."""
    opened = []

    def open_socket(user=None, flask_client=None, **kwargs):
        if flask_client is None:
            flask_client = logged_in_client(app, user)
        client = SocketClient(app, flask_client, **kwargs)
        opened.append(client)
        return client

    yield open_socket
    for client in opened:
        client.disconnect()
    app.extensions["chat_presence"].clear()
    for connection in connections.all_connections():
        connections.unregister(connection.sid)
