"""Read-side queries: the directory home, search, the routing helper and exports.

Every query starts from :func:`visible_entries`, so a restricted State cannot leak into
results, counts or exports for a visitor who may not see it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from forum.countries import current_language
from forum.countries import sort_key
from forum.countries import state_name
from forum.directory.models import Entry
from forum.directory.models import State
from forum.directory.models import code_list_contains
from forum.directory.policy import visible_states_condition
from forum.directory.un_members import UN_MEMBER_STATES
from forum.directory.vocab import MEASURES
from forum.extensions import db

PAGE_SIZE = 50


@dataclass
class Filters:
    q: str = ""
    state: str = ""
    designation: str = ""
    language: str = ""
    channel: str = ""
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.q or self.state or self.designation or self.language or self.channel)


def visible_entries(user):
    """SELECT of live entries of States ``user`` may see, joined to their State."""
    return (
        sa.select(Entry)
        .join(State, Entry.state_code == State.code)
        .where(visible_states_condition(user), Entry.deleted_at.is_(None))
    )


@functools.cache
def _names_in(language: str) -> dict[str, str]:
    """Each Member State's name in ``language``, folded for matching (once per language)."""
    return {code: sort_key(state_name(code, language=language)) for code in UN_MEMBER_STATES}


@functools.cache
def _ranks_in(language: str) -> dict[str, int]:
    names = _names_in(language)
    return {code: rank for rank, code in enumerate(sorted(names, key=names.__getitem__))}


def state_order():
    """ORDER BY the States' names in the reader's language (English: the stored name)."""
    language = current_language()
    if language == "en":
        return State.name
    ranks = _ranks_in(language)
    return sa.case(ranks, value=State.code, else_=len(ranks))


def _states_named(word: str) -> list[str]:
    """Codes of the States whose translated name contains ``word`` ("allemagne" → DE)."""
    language = current_language()
    if language == "en":
        return []
    folded = sort_key(word)
    return [code for code, name in _names_in(language).items() if folded in name]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(user, filters: Filters):
    query = visible_entries(user)
    if filters.q:
        for word in filters.q.lower().split()[:8]:
            pattern = f"%{_like_escape(word)}%"
            matches = [
                Entry.search_text.like(pattern, escape="\\"),
                sa.func.lower(State.name).like(pattern, escape="\\"),
            ]
            named = _states_named(word)
            if named:
                matches.append(State.code.in_(named))
            query = query.where(sa.or_(*matches))
    if filters.state:
        query = query.where(Entry.state_code == filters.state.upper())
    if filters.designation:
        query = query.where(code_list_contains(Entry.designations, filters.designation))
    if filters.language:
        query = query.where(code_list_contains(Entry.languages, filters.language))
    if filters.channel:
        query = query.where(code_list_contains(Entry.channels, filters.channel))
    return query


def search(user, filters: Filters) -> tuple[list[Entry], int]:
    """One page of matching entries (with their State) and the total number of matches."""
    query = _filtered(user, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = (
        db.session.scalars(
            query.options(so.contains_eager(Entry.state))
            .order_by(state_order(), Entry.name)
            .limit(PAGE_SIZE)
            .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
        )
        .unique()
        .all()
    )
    return page, total


@dataclass
class StateRow:
    code: str
    name: str
    visibility: str
    last_updated_at: object
    last_verified_at: object
    entries: int

    @property
    def display_name(self) -> str:
        return state_name(self.code, self.name)

    @property
    def checked_at(self):
        dates = [d for d in (self.last_updated_at, self.last_verified_at) if d]
        return max(dates) if dates else None


def state_rows(user) -> list[StateRow]:
    """Every State the user may see, with its number of entries, in one query."""
    live = sa.and_(Entry.state_code == State.code, Entry.deleted_at.is_(None))
    rows = db.session.execute(
        sa.select(
            State.code,
            State.name,
            State.visibility,
            State.last_updated_at,
            State.last_verified_at,
            sa.func.count(Entry.id),
        )
        .outerjoin(Entry, live)
        .where(visible_states_condition(user))
        .group_by(State.code)
    ).all()
    return sorted((StateRow(*row) for row in rows), key=lambda row: sort_key(row.display_name))


def route(user, state: State, measure: str) -> list[Entry]:
    """The entries of ``state`` that answer ``measure``, the most specific designation first."""
    codes = MEASURES[measure][1]
    entries = db.session.scalars(
        visible_entries(user)
        .where(
            Entry.state_code == state.code,
            sa.or_(*(code_list_contains(Entry.designations, code) for code in codes)),
        )
        .options(so.selectinload(Entry.contacts))
        .order_by(Entry.name)
    ).all()
    return sorted(
        entries,
        key=lambda e: min(codes.index(c) for c in e.designations if c in codes),
    )


def treaties_between(state: State, other: State | None) -> list[dict]:
    """Treaties listed by either State that name the other as a partner."""
    if other is None or other.code == state.code:
        return []
    found = [t for t in state.treaties if other.code in t["partners"]]
    found += [t for t in other.treaties if state.code in t["partners"] and t not in found]
    return found


def export_entries(user) -> list[Entry]:
    return list(
        db.session.scalars(
            visible_entries(user)
            .options(so.contains_eager(Entry.state), so.selectinload(Entry.contacts))
            .order_by(State.name, Entry.name)
        ).unique()
    )
