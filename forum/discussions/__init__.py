"""Threaded discussions: categories, private spaces, threads, posts, attachments, search."""

from flask import Blueprint

bp = Blueprint("discussions", __name__, url_prefix="/discussions")
