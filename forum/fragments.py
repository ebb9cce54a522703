"""Pieces of pages rendered once per distinct input and reused, and the one every page has.

Jinja spends most of a light page's CPU on markup that is the same for many readers: the
site header alone (seventeen translated labels, eighteen URLs) was a third of the home
page. A memoised piece is keyed by *every* input it is drawn from, so a change (a new
unread count, a renamed member, another language) is a new key in every process and nothing
needs invalidating. The one per-reader secret, the CSRF token, is never cached: pieces hold
:data:`CSRF_SLOT`, which :func:`with_csrf_token` replaces with the reader's token.
"""

from __future__ import annotations

import functools
import secrets
from typing import NamedTuple

from flask import current_app
from flask import g
from flask import request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from markupsafe import escape

from forum import header_counts
from forum.countries import state_name

# Unguessable, so no user-written text can contain it and be turned into a token.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def with_csrf_token(html: str) -> Markup:
    """A memoised piece with this reader's CSRF token in place of :data:`CSRF_SLOT`."""
    return Markup(html.replace(CSRF_SLOT, escape(generate_csrf())))


class _HeaderUser(NamedTuple):
    """All the header shows of the signed-in member (part of the memo key)."""

    display_name: str
    email: str
    state_code: str | None
    role: str
    is_staff: bool
    is_admin: bool


@functools.lru_cache(maxsize=4096)
def _site_header(user: _HeaderUser | None, counts: tuple, enrolling: bool, _locale, _root) -> str:
    template = current_app.jinja_env.get_template("_site_header.html")
    return template.render(
        user=user,
        counts=dict(counts),
        enrolling=enrolling,
        state_name=state_name(user.state_code) if user and user.state_code else "",
        csrf_slot=CSRF_SLOT,
    )


def site_header() -> Markup:
    """The header of every page (``base.html``), for the current reader."""
    user = current_user._get_current_object()
    locale, root = str(get_locale()), request.script_root
    if not user.is_authenticated:
        enrolling = g.get("auth_session") is not None  # password given, second factor not yet
        return Markup(_site_header(None, (), enrolling, locale, root))
    shown = _HeaderUser(
        user.display_name, user.email, user.state_code, user.role, user.is_staff, user.is_admin
    )
    counts = tuple(sorted(header_counts.all_counts(user).items()))
    return with_csrf_token(_site_header(shown, counts, False, locale, root))
