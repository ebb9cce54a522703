"""Error pages in the site layout and the user's language, for every 4xx and 500."""

from __future__ import annotations

from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum.extensions import db

_MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Check what you entered and try again."),
    ),
    401: (_l("Login required"), _l("Log in to continue.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than allowed. Make it smaller and try again."),
    ),
    429: (
        _l("Too many requests"),
        _l("Too many attempts in a short time. Wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. It has been logged; please try again later."),
    ),
}
# Never echoed back: secrets the user typed.
_SENSITIVE_FIELDS = {"password", "confirmation", "current_password", "code", "csrf_token"}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(code: int, message: str | None = None, draft: dict | None = None):
    title, default_message = _MESSAGES.get(code, _MESSAGES[500])
    text = str(message or default_message)
    if _wants_json():
        return jsonify(error=str(title), message=text), code
    return render_template(
        "errors/error.html", code=code, title=title, message=text, draft=draft or {}
    ), code


def _draft_from_form() -> dict:
    """The user's non-secret input, shown again so nothing they wrote is lost."""
    return {
        key: value
        for key, value in request.form.items()
        if key not in _SENSITIVE_FIELDS and value.strip()
    }


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        _l(
            "This form has expired or was not sent from Liaison. Your text is below: "
            "copy it, reload the page, and send it again."
        ),
        draft=_draft_from_form(),
    )


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code not in _MESSAGES:
        code = 400 if 400 <= code < 500 else 500
    response = render_error(code)
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(error.valid_methods)}
    return response


def handle_unexpected_error(error: Exception):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return render_error(500)


def init_app(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
