"""Accounts, login with mandatory TOTP, invitations, sessions and account security."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
account_bp = Blueprint("account", __name__, url_prefix="/account")

from forum.auth import account_routes  # noqa: E402,F401
from forum.auth import routes  # noqa: E402,F401
