"""Directory of competent national authorities, State by State."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")
