"""Locale selection: the user's setting, else the browser's Accept-Language, else English."""

from __future__ import annotations

import functools

from babel import Locale
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask_babel import format_datetime
from flask_babel import get_locale
from flask_babel import get_timezone
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup


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


def request_translations():
    """The request's catalogue, looked up once per locale and request.

    Flask-Babel resolves the locale and its catalogue on every ``_()`` in a template; a
    thread page calls it hundreds of times. ``flask_babel.refresh()`` drops the locale, so a
    language change within a request still takes effect.
    """
    if not g:
        return get_translations()
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get("_liaison_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g._liaison_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
    return translations


def install_template_gettext(app) -> None:
    """Template ``_()``/``ngettext`` through :func:`request_translations` (same output)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # ``_()`` is the commonest call in every template (twenty on the lightest page): one
    # function instead of Jinja's alias → newstyle wrapper → callable chain.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables) -> str:
    """What Jinja's newstyle ``gettext`` returns: escaped when autoescaping, and always
    %-formatted (so translations write ``%%`` for a percent sign either way)."""
    text = request_translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@functools.lru_cache(maxsize=65_536)
def _medium_datetime(value, locale: str, timezone: str) -> str:
    return format_datetime(value, "medium")


def medium_datetime(value) -> str:
    """``format_datetime(value, "medium")``, memoised: Babel spends ~60 µs a call and a
    thread page shows a date per post. The key holds all the text depends on."""
    if not value:
        return ""
    return _medium_datetime(value, str(get_locale()), str(get_timezone()))


def date_formatter():
    """The ``datetime`` filter with the request's locale and time zone looked up once, for
    lists that format a date per row (a template global)."""
    locale, zone = str(get_locale()), str(get_timezone())
    return lambda value: _medium_datetime(value, locale, zone) if value else ""
