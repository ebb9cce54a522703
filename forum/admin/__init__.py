"""Administrators' tools: users and their second factors."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from forum.admin import routes  # noqa: E402,F401
