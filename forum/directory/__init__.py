"""Directory of competent national authorities, State by State."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")

from forum.directory import edit_routes  # noqa: E402,F401
from forum.directory import filters  # noqa: E402,F401
from forum.directory import routes  # noqa: E402,F401
from forum.directory import staff_routes  # noqa: E402,F401
