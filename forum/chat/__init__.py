"""Real-time direct and group conversations over Flask-SocketIO."""

from flask import Blueprint

bp = Blueprint("chat", __name__, url_prefix="/chat")

from forum.chat import events  # noqa: E402,F401
from forum.chat import file_routes  # noqa: E402,F401
from forum.chat import routes  # noqa: E402,F401
