"""Moderators' tools: applications, invitations, members, flags and the audit log viewer."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

from forum.moderation import models  # noqa: E402,F401
from forum.moderation import routes  # noqa: E402,F401
