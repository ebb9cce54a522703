"""Country (State) names in the reader's language, from pycountry's ISO 3166-1 catalogues.

pycountry ships gettext catalogues (domain ``iso3166-1``) whose message ids are its English
names. The catalogue of each language is loaded once per process and each translated name
is cached, so a page listing 193 States costs no file access after the first request.
English, an untranslated name or a language without a catalogue fall back to English.

Knows no area: the foundation (a member's State) and the directory both call it.
"""

from __future__ import annotations

import functools
import gettext
import unicodedata

import pycountry
from flask import has_app_context
from flask_babel import get_locale

DOMAIN = "iso3166-1"


def current_language() -> str:
    """The language of the current request or ``force_locale`` block ("en" outside an app)."""
    if not has_app_context():
        return "en"
    locale = get_locale()
    return locale.language if locale is not None else "en"


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@functools.lru_cache(maxsize=4096)
def _translated(language: str, code: str, english: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return english
    catalogue = _catalogue(language)
    # The short common name ("Bolivia") reads better than the formal one when both exist.
    for msgid in (getattr(country, "common_name", None), country.name):
        if msgid:
            translated = catalogue.gettext(msgid)
            if translated != msgid:
                return translated
    return english


def state_name(code: str | None, english: str | None = None, language: str | None = None) -> str:
    """The name of the State ``code`` in ``language`` (default: the request's).

    ``english`` is the name to show in English and when no translation exists (the
    directory keeps its own English names); by default pycountry's.
    """
    if not code:
        return english or ""
    if english is None:
        country = pycountry.countries.get(alpha_2=code)
        english = (getattr(country, "common_name", None) or country.name) if country else code
    language = language or current_language()
    if language == "en":
        return english
    return _translated(language, code, english)


def sort_key(name: str) -> str:
    """Alphabetical order for any language: accents and case do not count ("Égypte" at E)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
