"""Production entry point for gunicorn with the gevent WebSocket worker, one worker a process:

    gunicorn -k geventwebsocket.gunicorn.workers.GeventWebSocketWorker -w 1 \
        -c forum/gunicorn_conf.py -b 127.0.0.1:8001 forum.wsgi:app

The worker monkey-patches before importing this module, so psycopg picks its gevent-aware
wait function (``forum.chat`` tests prove it does not block the loop).
"""

import os

from config import database_url
from forum import create_app
from forum.chat.realtime import listen_to_message_queue
from forum.chat.realtime import process_overrides
from forum.extensions import socketio

app = create_app("production", process_overrides(database_url(os.environ.get("DATABASE_URL", ""))))
listen_to_message_queue(socketio)
