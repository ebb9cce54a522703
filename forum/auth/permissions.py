"""Role predicates for :func:`forum.security.access.require`, and the re-authentication gate."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g
from flask import redirect
from flask import request
from flask import url_for

from forum.auth.models import Role
from forum.security.access import ACCESS_ATTR
from forum.security.access import require


def is_staff(user) -> bool:
    return user.role in (Role.MODERATOR, Role.ADMIN)


def is_admin(user) -> bool:
    return user.role == Role.ADMIN


staff_required = require(is_staff)
admin_required = require(is_admin)


def fresh_login_required(view: Callable) -> Callable:
    """Require password + code again within REAUTH_WINDOW before a sensitive change."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from forum.auth.sessions import is_recently_reauthenticated

        if not is_recently_reauthenticated(g.auth_session):
            target = request.full_path.rstrip("?") if request.method == "GET" else request.referrer
            return redirect(
                url_for("auth.reauthenticate", next=target or url_for("account.security"))
            )
        return view(*args, **kwargs)

    if hasattr(view, ACCESS_ATTR):
        setattr(wrapped, ACCESS_ATTR, getattr(view, ACCESS_ATTR))
    return wrapped
