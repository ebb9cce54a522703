"""One chat server process under gevent: ``python -m forum.chat.server --port 5001``.

Used by the two-process test and the benchmark; production uses gunicorn with the same
gevent worker (see README: one worker per process, ``forum.wsgi:app``). Monkey-patching
comes first, before psycopg is imported, so database waits yield to other sockets.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402

from forum import create_app  # noqa: E402
from forum.chat.realtime import listen_to_message_queue  # noqa: E402
from forum.extensions import socketio  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--config", default=os.environ.get("LIAISON_ENV", "development"))
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args()
    from config import database_url

    overrides = {"BASE_URL": args.base_url or f"http://{args.host}:{args.port}"}
    if args.database:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url(args.database)
    from forum.chat.realtime import process_overrides

    overrides.update(
        process_overrides(
            overrides.get("SQLALCHEMY_DATABASE_URI")
            or database_url(os.environ.get("DATABASE_URL", ""))
        )
    )
    if args.redis:
        overrides["REDIS_URL"] = args.redis
    if os.environ.get("CHAT_CHANNEL"):
        overrides["CHAT_CHANNEL"] = os.environ["CHAT_CHANNEL"]
    if os.environ.get("CHAT_SWEEPER"):
        overrides["CHAT_SWEEPER"] = os.environ["CHAT_SWEEPER"] == "1"
    app = create_app(args.config, overrides)
    listen_to_message_queue(socketio)
    # Everything built at start-up is permanent: keep it out of the collector's way (the p99
    # tail under load is full collections walking these objects).
    gc.collect()
    gc.freeze()
    print(f"chat server on {args.host}:{args.port} ({socketio.async_mode})", flush=True)
    serve(app, args.host, args.port)


def serve(app, host: str, port: int) -> None:
    """What ``socketio.run`` does under gevent, on a listener with TCP_NODELAY (as gunicorn's).

    Without it an acknowledgement written right after the message event waits for the
    peer's delayed ACK (Nagle): about 40 ms per send in a request/response loop.
    """
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited when accepted
    listener.bind((host, port))
    listener.listen(2048)
    server = pywsgi.WSGIServer(listener, app, handler_class=WebSocketHandler, log=None)
    socketio.wsgi_server = server
    server.serve_forever()


if __name__ == "__main__":
    main()
