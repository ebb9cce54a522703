"""The search page's and the routing helper's HTML, each piece rendered once per input.

These are the directory's busiest pages, and most of their CPU went into Jinja: a form with
four lists (193 States, 184 languages), 25 result rows, entry cards. As the discussions'
post fragments do, each piece here is a macro of ``templates/directory/_fragments.html``
whose output is memoised in a bounded per-process LRU under a key holding *every* input
of the macro: the query rows it shows (so an edit is a new key, in every process), the
staleness of each, what the reader's role shows (contacts, staff links) and the locale.
No piece holds a secret: the forms are GET forms and the entry cards read-only (no CSRF
token, no edit button). The visibility rules are the queries' (``search``): a piece only
ever shows rows its reader's query returned.
"""

from __future__ import annotations

import functools

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from forum.countries import state_name
from forum.directory import search
from forum.directory.models import ContactPerson
from forum.directory.models import Entry
from forum.directory.models import newest_check
from forum.directory.policy import is_stale
from forum.directory.policy import stale_cutoff
from forum.directory.vocab import CHANNELS
from forum.directory.vocab import DESIGNATIONS
from forum.directory.vocab import MEASURES
from forum.directory.vocab import language_options

CACHE_SIZE = 4096


def _macro(name: str):
    return getattr(current_app.jinja_env.get_template("directory/_fragments.html").module, name)


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "en"


def _role(user) -> tuple[bool, bool, bool]:
    member = bool(getattr(user, "is_authenticated", False))
    return member, member and bool(user.is_staff), member and bool(user.is_admin)


# -- Search page --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _search_form(choices, values: tuple, role: tuple, locale: str) -> str:
    filters = search.Filters(*values)
    return str(
        _macro("search_form")(
            filters,
            choices.options(filters.state),
            language_options(filters.language),
            DESIGNATIONS,
            CHANNELS,
            *role,
        )
    )


def search_form(filters: search.Filters, choices: search.StateChoices, user) -> Markup:
    """The heading, links and search form (the filters filled in) as ``user`` sees them."""
    values = (filters.q, filters.state, filters.designation, filters.language, filters.channel)
    return Markup(_search_form(choices, values, _role(user), _locale()))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _result_row(row: tuple, stale: bool, locale: str) -> str:
    entry = dict(zip(search.RESULT_NAMES, row, strict=True))
    entry["designations"] = search.parse_codes(entry["designations"])
    entry["languages"] = search.parse_codes(entry["languages"])
    display = state_name(entry["state_code"], entry["state_english"], language=locale[:2])
    return str(_macro("result_row")(entry, display, stale, DESIGNATIONS))


@functools.lru_cache(maxsize=1024)
def _results(rows: tuple, total: int, page: int, page_base: str, locale: str) -> str:
    html = Markup("".join(_result_row(row, stale, locale) for row, stale in rows))
    pages = search.pages(total, page) if total > search.PAGE_SIZE else []
    filters = search.Filters(page=page)
    return str(_macro("results")(html, total, filters, pages, page_base))


def results(rows, total: int, page: int, page_base: str) -> Markup:
    """The result count, the page of results (:func:`search.search`) and the page links."""
    cutoff = stale_cutoff()
    width = len(search.RESULT_NAMES)
    key = []
    for row in rows:
        checked = newest_check(row.last_updated_at, row.last_verified_at)
        key.append((tuple(row)[:width], is_stale(checked, cutoff)))
    return Markup(_results(tuple(key), total, page, page_base, _locale()))


# -- Routing helper -----------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _route_form(choices, target: str, measure: str, origin: str, locale: str) -> str:
    return str(
        _macro("route_form")(choices.options(target), choices.options(origin), MEASURES, measure)
    )


def route_form(choices: search.StateChoices, target: str, measure: str, origin: str) -> Markup:
    return Markup(_route_form(choices, target, measure, origin, _locale()))


def _record(columns, values, code_lists: frozenset[str]) -> dict:
    record = dict(zip((column.key for column in columns), values, strict=True))
    for key in code_lists:
        record[key] = search.parse_codes(record[key])
    return record


def _entry(rows: tuple) -> Entry:
    """A transient Entry with its contact persons, never added to the session, for the card."""
    width = len(search.ENTRY_COLUMNS)
    contacts = [
        ContactPerson(**_record(search.CONTACT_COLUMNS, row[width:], search.CONTACT_CODE_LISTS))
        for row in rows
        if len(row) > width and row[width] is not None
    ]
    entry = _record(search.ENTRY_COLUMNS, rows[0][:width], search.ENTRY_CODE_LISTS)
    return Entry(**entry, contacts=contacts)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _entry_card(rows: tuple, show_contacts: bool, stale: bool, locale: str) -> str:
    card = current_app.jinja_env.get_template("directory/_macros.html").module.entry_card
    return str(
        card(_entry(rows), DESIGNATIONS, CHANNELS, show_contacts, False, lambda _: stale, "h3")
    )


@functools.lru_cache(maxsize=1024)
def _route_result(state, origin, measure: str, entries: tuple, locale: str) -> str:
    cards = [Markup(_entry_card(rows, show, stale, locale)) for rows, show, stale in entries]
    treaties = search.treaties_between(state, origin)
    return str(_macro("route_result")(state, origin, measure, MEASURES, cards, treaties))


def route_result(state, origin, measure: str, entries: list[tuple], show_contacts: bool):
    """The answer for ``state`` and ``measure``: read-only entry cards and the treaties."""
    cutoff = stale_cutoff()
    updated = search.ENTRY_INDEX["last_updated_at"]
    verified = search.ENTRY_INDEX["last_verified_at"]
    key = tuple(
        (rows, show_contacts, is_stale(newest_check(rows[0][updated], rows[0][verified]), cutoff))
        for rows in entries
    )
    return Markup(_route_result(state, origin, measure, key, _locale()))
