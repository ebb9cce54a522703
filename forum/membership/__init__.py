"""Public application for access, and members' own pages (profiles, notices)."""

from flask import Blueprint

bp = Blueprint("membership", __name__)

from forum.membership import routes  # noqa: E402,F401
