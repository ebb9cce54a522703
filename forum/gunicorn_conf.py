"""gunicorn settings for Liaison (gevent WebSocket worker; see forum/wsgi.py)."""

import gc

worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
workers = 1  # Socket.IO needs sticky sessions: scale with more processes behind the balancer
worker_connections = 4000
timeout = 60


def post_worker_init(worker):
    """After the app is loaded: freeze start-up objects so full collections stay short."""
    gc.collect()
    gc.freeze()
