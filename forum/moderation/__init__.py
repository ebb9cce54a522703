"""Moderators' tools: invitations (vetting, members and flags come with their issues)."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from forum.moderation import routes  # noqa: E402,F401
