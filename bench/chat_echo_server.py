"""The bare transport, for comparison with bench/chat.py: a Flask-SocketIO echo server under
gevent (one process, gc.freeze after start-up, TCP_NODELAY), no authentication, no database.

    .venv/bin/python bench/chat.py --echo --clients 1000 --rate 1000 --duration 15

A socket joins the room named in its ``?room=`` query; ``send`` is emitted to that room
(except the sender) and acknowledged, as the real server does after its commit.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import socket  # noqa: E402

from flask import Flask  # noqa: E402
from flask import request  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402
from flask_socketio import join_room  # noqa: E402
from gevent import pywsgi  # noqa: E402
from geventwebsocket.handler import WebSocketHandler  # noqa: E402


def build(redis: str | None, channel: str) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    socketio = SocketIO(
        app,
        async_mode="gevent",
        message_queue=redis,
        channel=channel,
        cors_allowed_origins="*",
    )

    @socketio.on("connect")
    def connect(auth=None):
        join_room(f"r{request.args.get('room', '0')}")

    @socketio.on("send")
    def send(data):
        socketio.emit(
            "message",
            {"client_id": data["client_id"], "sender_id": -1},
            to=f"r{data['conversation_id']}",
            skip_sid=request.sid,
        )
        return {"ok": True}

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", default=None)
    parser.add_argument("--channel", default="liaison-bench-echo")
    args = parser.parse_args()
    app, _ = build(args.redis, args.channel)
    gc.collect()
    gc.freeze()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(2048)
    pywsgi.WSGIServer(listener, app, handler_class=WebSocketHandler, log=None).serve_forever()


if __name__ == "__main__":
    main()
