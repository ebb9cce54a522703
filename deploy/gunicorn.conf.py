"""gunicorn settings for one Liaison process in production.

Extends ``forum/gunicorn_conf.py`` (the gevent WebSocket worker, one worker, gc.freeze after
start-up) with what an operator sets per host. Flask-SocketIO needs every request of one
Socket.IO session on the same process, so a host runs several single-worker gunicorn
processes (one per core) on consecutive ports, and nginx pins each client to one of them
(``ip_hash``). Run one process:

    gunicorn -c deploy/gunicorn.conf.py -b 127.0.0.1:8001 forum.wsgi:app
"""

import os

from forum.gunicorn_conf import post_worker_init  # noqa: F401  (gunicorn reads it by name)
from forum.gunicorn_conf import timeout  # noqa: F401
from forum.gunicorn_conf import worker_class  # noqa: F401
from forum.gunicorn_conf import worker_connections  # noqa: F401
from forum.gunicorn_conf import workers  # noqa: F401

# The port comes from the command line (-b) or LIAISON_BIND; loopback only: nginx is the edge.
bind = [os.environ.get("LIAISON_BIND", "127.0.0.1:8001")]
proc_name = "liaison"
# gunicorn's control socket defaults to one path per user: several processes on one host would
# share it. Not used here (systemd signals the master), so off.
control_socket_disable = True
# Graceful restart: sockets get this long to finish; chat clients reconnect to another process.
graceful_timeout = 20
keepalive = 5
# Socket.IO long-polling requests stay open up to ping_interval + ping_timeout.
# Header and line limits stay at gunicorn's defaults; the body limit is the app's and nginx's.
forwarded_allow_ips = "127.0.0.1"
# journald keeps the logs (systemd unit); access logs come from nginx, errors from here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LIAISON_LOG_LEVEL", "info")
# The app is imported in the worker (not preloaded): gevent monkey-patches before psycopg loads.
preload_app = False
