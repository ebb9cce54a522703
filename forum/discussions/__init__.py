"""Threaded discussions: categories, private spaces, threads, posts, attachments, search."""

from flask import Blueprint

bp = Blueprint("discussions", __name__, url_prefix="/discussions")
# /search is a stable address outside the /discussions prefix.
search_bp = Blueprint("search", __name__)

from forum.discussions import models  # noqa: E402,F401
from forum.discussions import routes  # noqa: E402,F401
