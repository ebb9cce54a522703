"""Locale selection: the user's setting, else the browser's Accept-Language, else English."""

from __future__ import annotations

from babel import Locale
from flask import current_app
from flask import has_request_context
from flask import request
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    user = current_user if current_user else None
    if user is not None and user.is_authenticated and user.preferred_language in languages:
        return user.preferred_language
    if not has_request_context():
        # CLI commands (``flask users invite``) send e-mail with no browser to ask.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def language_choices() -> list[tuple[str, str]]:
    """Each available language named in itself, so a lost user can find their own."""
    return [
        (code, Locale.parse(code).get_display_name(code).capitalize())
        for code in current_app.config["LANGUAGES"]
    ]
