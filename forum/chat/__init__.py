"""Real-time direct and group conversations over Flask-SocketIO."""

from flask import Blueprint

bp = Blueprint("chat", __name__, url_prefix="/chat")
