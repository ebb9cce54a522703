"""Access rules declared next to each view, enforced for every request: deny by default.

A view states who may call it with one of the decorators below. The guard installed by
:func:`init_app` refuses any endpoint that declares nothing, so a forgotten decorator
fails closed instead of publishing a page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user

ACCESS_ATTR = "_liaison_access"
PUBLIC = "public"
PENDING_ENROLMENT = "pending_enrolment"

# Endpoints Flask or extensions register themselves; static files carry no user data.
_BUILTIN_PUBLIC_ENDPOINTS = {"static"}


def public(view: Callable) -> Callable:
    """Anyone, signed in or not, may call this view."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def enrolment_step(view: Callable) -> Callable:
    """Reachable by a session that has a password but still has to enrol a second factor."""
    setattr(view, ACCESS_ATTR, PENDING_ENROLMENT)
    return view


def require(rule: Callable[[object], bool]) -> Callable[[Callable], Callable]:
    """Only a fully signed-in (password + second factor) user for whom ``rule(user)`` holds."""

    def decorator(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTR, rule)
        return view

    return decorator


def any_member(user) -> bool:
    return True


login_required = require(any_member)


def access_rule_for(endpoint: str | None):
    if endpoint is None:
        return None
    if endpoint in _BUILTIN_PUBLIC_ENDPOINTS or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def _refuse_anonymous():
    if request.method == "GET" and not request.path.startswith("/api/"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(401)


def enforce_access():
    """before_request guard: every endpoint must declare a rule, and the rule must pass."""
    if request.endpoint is None:
        return None  # routing failed: Flask answers 404/405 itself
    rule = access_rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    auth_session = g.get("auth_session")
    if rule == PENDING_ENROLMENT:
        if auth_session is None or auth_session.mfa_complete:
            return _refuse_anonymous() if auth_session is None else redirect(url_for("main.home"))
        return None
    if not current_user.is_authenticated:
        if auth_session is not None and not auth_session.mfa_complete:
            return redirect(url_for("auth.enrol_totp"))
        return _refuse_anonymous()
    if not rule(current_user):
        # Refusals are security events (ASVS 16.3.2): logged, never silently dropped.
        current_app.logger.warning(
            "access refused: user %s to %s %s from %s",
            current_user.id,
            request.method,
            request.endpoint,
            request.remote_addr,
        )
        abort(403)
    return None


def init_app(app) -> None:
    app.before_request(enforce_access)
