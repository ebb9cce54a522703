"""Read-side queries: the directory home, search, the routing helper and exports.

Every query starts from :func:`visible_entries` (or :func:`_visible`, its column-wise
twin), so a restricted State cannot leak into results, counts or exports for a visitor who
may not see it.

The search page and the routing helper are the directory's busiest pages. They select only
the columns they show, through the session's connection (no ORM entities), and what they
derive from the rows — the sorted, translated State lists and each result row's HTML — is
memoised per process under a key holding *all* its inputs (the rows themselves and the
locale), as the discussions' post fragments are: an edit or a visibility change is a new
key, in every process, so nothing needs invalidating and no cache outlives a rule.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy.ext.compiler import compiles

from forum import direct_reads
from forum.countries import current_language
from forum.countries import sort_key
from forum.countries import state_name
from forum.directory.models import CodeList
from forum.directory.models import ContactPerson
from forum.directory.models import Entry
from forum.directory.models import State
from forum.directory.models import code_list_contains
from forum.directory.models import newest_check
from forum.directory.policy import is_member
from forum.directory.policy import visible_states_condition
from forum.directory.un_members import UN_MEMBER_STATES
from forum.directory.vocab import MEASURES
from forum.extensions import db

# The EJN's directory shows a few dozen authorities a page; 193 States' ministries of
# justice in one table was a long page and most of the search's CPU.
PAGE_SIZE = 25
CACHE_SIZE = 4096


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

    def query_args(self) -> dict[str, str]:
        """The filters as URL arguments (page links add ``page``)."""
        names = ("q", "state", "designation", "language", "channel")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


def visible_entries(user):
    """SELECT of live entries of States ``user`` may see, joined to their State."""
    return _visible(sa.select(Entry), user)


def _visible(select, user):
    return select.join(State, Entry.state_code == State.code).where(
        visible_states_condition(user), Entry.deleted_at.is_(None)
    )


class _Member:
    """Any signed-in member, for statements built once where only membership matters."""

    is_authenticated = True


_MEMBER = _Member()


# -- State names --------------------------------------------------------------------------


@functools.cache
def _names_in(language: str) -> dict[str, str]:
    """Each Member State's name in ``language``, folded for matching (once per language)."""
    return {code: sort_key(state_name(code, language=language)) for code in UN_MEMBER_STATES}


@functools.cache
def _ranks_in(language: str) -> dict[str, int]:
    names = _names_in(language)
    return {code: rank for rank, code in enumerate(sorted(names, key=names.__getitem__))}


@functools.cache
def _state_order_in(language: str):
    """The ORDER BY expression for ``language``, built once (a CASE of 193 States)."""
    if language == "en":
        return State.name
    ranks = _ranks_in(language)
    return sa.case(ranks, value=State.code, else_=len(ranks))


class StateChoices:
    """The States a visitor may pick, by name in one language, as ``<option>`` HTML."""

    def __init__(self, rows: tuple[tuple[str, str], ...], language: str):
        named = [(code, state_name(code, english, language=language)) for code, english in rows]
        named.sort(key=lambda pair: sort_key(pair[1]))
        self.names = dict(named)
        # What a search word is looked for in: the English name, and the reader's, unaccented.
        self._searchable = [
            (code, english.lower(), sort_key(self.names[code]) if language != "en" else "")
            for code, english in rows
        ]
        self._named: dict[str, list[str]] = {}
        self._html = "".join(
            f'<option value="{escape(code)}">{escape(name)}</option>' for code, name in named
        )

    def __contains__(self, code: str) -> bool:
        return code in self.names

    def named(self, word: str) -> list[str]:
        """Codes of the States whose name holds ``word`` ("france", or "allemagne" in French)."""
        found = self._named.get(word)
        if found is None:
            folded = sort_key(word)
            found = [
                code
                for code, english, translated in self._searchable
                if word in english or (translated and folded in translated)
            ]
            if len(self._named) >= 1024:
                self._named.clear()
            self._named[word] = found
        return found

    def options(self, selected: str = "") -> Markup:
        """The options, ``selected`` marked when it is one of them."""
        html = self._html
        if selected in self.names:
            mark = f'<option value="{selected}">'
            html = html.replace(mark, mark[:-1] + " selected>", 1)
        return Markup(html)


@functools.lru_cache(maxsize=64)
def _choices(rows: tuple[tuple[str, str], ...], language: str) -> StateChoices:
    return StateChoices(rows, language)


# Between two States in the aggregated list; codes are two letters, so no other separator.
_SEPARATOR = "\x1e"


@functools.lru_cache(maxsize=64)
def _choices_from_text(text: str, language: str) -> StateChoices:
    items = text.split(_SEPARATOR) if text else []
    return _choices(tuple(sorted((item[:2], item[2:]) for item in items)), language)


@functools.cache
def _choices_statement(member: bool):
    """Every visible State's code and English name as one string (one row, not 193)."""
    return sa.select(sa.func.aggregate_strings(State.code + State.name, _SEPARATOR)).where(
        visible_states_condition(_MEMBER if member else None)
    )


def state_choices(user) -> StateChoices:
    """The States ``user`` may see, sorted and rendered once per content and language.

    The query's answer is the cache key: a State added, renamed or turned members-only is
    a new key at once, in every process.
    """
    text = direct_reads.rows(_choices_statement(is_member(user)))[0][0]
    return _choices_from_text(text or "", current_language())


def choices_of(rows: list[StateRow]) -> StateChoices:
    """The choices of :func:`state_rows`' States (the home page has them already)."""
    return _choices(tuple(sorted((row.code, row.name) for row in rows)), current_language())


# -- Search -------------------------------------------------------------------------------


def _raw(column):
    """A code list column as its stored text (",a,b,"): hashable, so it can key a cache."""
    if isinstance(column.type, CodeList):
        return sa.type_coerce(column, sa.Text).label(column.key)
    return column


def parse_codes(text: str | None) -> list[str]:
    return CodeList().process_result_value(text, None)


_RESULT_COLUMNS = (
    Entry.id,
    Entry.name,
    Entry.state_code,
    State.name.label("state_english"),
    _raw(Entry.designations),
    _raw(Entry.languages),
    Entry.last_updated_at,
    Entry.last_verified_at,
)
RESULT_NAMES = tuple(column.key for column in _RESULT_COLUMNS)


class _Holds(sa.sql.functions.FunctionElement):
    """``holds(text, part)``: ``part`` occurs in ``text`` (case as given).

    Not ``LIKE '%part%'``: PostgreSQL's ``strpos`` (SQLite's ``instr``) searches bytes and
    took about half the database time of the multibyte LIKE over every entry; and nothing
    in ``part`` needs escaping.
    """

    type = sa.Boolean()
    inherit_cache = True
    name = "holds"


@compiles(_Holds)
def _holds_instr(element, compiler, **kw):
    text, part = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(instr({text}, {part}) > 0)"


@compiles(_Holds, "postgresql")
def _holds_strpos(element, compiler, **kw):
    text, part = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(strpos({text}, {part}) > 0)"


def _holds_code(column, name: str):
    """The code list ``column`` holds the code bound as ``name`` (passed as ``,code,``)."""
    return _Holds(sa.cast(column, sa.Text), sa.bindparam(name, type_=sa.Text))


@functools.lru_cache(maxsize=256)
def _search_statement(shape: tuple, member: bool, language: str, counting: bool):
    """The search's SELECT for one shape of filters, built once: only values vary.

    ``shape`` is (one "named" flag per word, state?, designation?, language?, channel?). A
    statement built per request cost more CPU (building and its cache key) than running it.
    """
    named_flags, by_state, by_designation, by_language, by_channel = shape
    if counting:
        query = sa.select(sa.func.count(Entry.id))
    else:
        query = sa.select(*_RESULT_COLUMNS, sa.func.count().over().label("total"))
    query = _visible(query, _MEMBER if member else None)
    for number, named in enumerate(named_flags):
        matches = [_Holds(Entry.search_text, sa.bindparam(f"word{number}", type_=sa.Text))]
        if named:  # the entries of the States so named, whatever their text
            states = sa.bindparam(f"named{number}", expanding=True)
            matches.append(Entry.state_code.in_(states))
        query = query.where(sa.or_(*matches))
    if by_state:
        query = query.where(Entry.state_code == sa.bindparam("state"))
    if by_designation:
        query = query.where(_holds_code(Entry.designations, "designation"))
    if by_language:
        query = query.where(_holds_code(Entry.languages, "language"))
    if by_channel:
        query = query.where(_holds_code(Entry.channels, "channel"))
    if counting:
        return query
    return (
        query.order_by(_state_order_in(language), Entry.name, Entry.id)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


def _search_arguments(filters: Filters, choices: StateChoices) -> tuple[tuple, dict]:
    params: dict = {}
    named_flags = []
    for number, word in enumerate(filters.q.lower().split()[:8]):
        params[f"word{number}"] = word
        named = choices.named(word)
        if named:
            params[f"named{number}"] = named
        named_flags.append(bool(named))
    if filters.state:
        params["state"] = filters.state.upper()
    for name in ("designation", "language", "channel"):
        if getattr(filters, name):
            params[name] = f",{getattr(filters, name)},"
    shape = (
        tuple(named_flags),
        bool(filters.state),
        bool(filters.designation),
        bool(filters.language),
        bool(filters.channel),
    )
    return shape, params


def search(user, filters: Filters, choices: StateChoices) -> tuple[list[sa.Row], int]:
    """One page of matching entries (the columns the results table shows) and their number.

    A word matches an entry's text or its State's name: ``choices`` (:func:`state_choices`,
    which the page has anyway) tells which States a word names, so the database compares no
    State names. The number comes with the page (a window count), so one query answers
    both; only a page past the last one asks for the count on its own.
    """
    language = current_language()
    member = is_member(user)
    shape, params = _search_arguments(filters, choices)
    offset = (max(filters.page, 1) - 1) * PAGE_SIZE
    statement = _search_statement(shape, member, language, False)
    rows = direct_reads.rows(statement, {**params, "limit": PAGE_SIZE, "offset": offset})
    if rows:
        return rows, rows[0].total
    if offset == 0:
        return [], 0
    return [], direct_reads.rows(_search_statement(shape, member, language, True), params)[0][0]


def pages(total: int, page: int) -> list[int | None]:
    """Page numbers to link: the first, the last and two either side of ``page`` (None: a gap)."""
    last = max(1, -(-total // PAGE_SIZE))
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


# -- Home: every State with its number of entries -----------------------------------------


@dataclass
class StateRow:
    code: str
    name: str
    visibility: str
    last_updated_at: object
    last_verified_at: object
    entries: int
    display_name: str = ""

    @property
    def checked_at(self):
        return newest_check(self.last_updated_at, self.last_verified_at)


def state_rows(user) -> list[StateRow]:
    """Every State the user may see, with its number of entries, in one query."""
    live = sa.and_(Entry.state_code == State.code, Entry.deleted_at.is_(None))
    rows = direct_reads.rows(
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
    )
    language = current_language()
    named = [StateRow(*row, state_name(row[0], row[1], language=language)) for row in rows]
    return sorted(named, key=lambda row: sort_key(row.display_name))


# -- Routing helper -----------------------------------------------------------------------

# What an entry card shows: every column but the search text and the bookkeeping dates.
ENTRY_COLUMNS = tuple(
    _raw(column)
    for column in Entry.__table__.c
    if column.key not in ("search_text", "created_at", "deleted_at")
)
CONTACT_COLUMNS = tuple(
    _raw(column) for column in ContactPerson.__table__.c if column.key != "entry_id"
)
ENTRY_INDEX = {column.key: number for number, column in enumerate(ENTRY_COLUMNS)}
ENTRY_CODE_LISTS = frozenset(c.key for c in Entry.__table__.c if isinstance(c.type, CodeList))
CONTACT_CODE_LISTS = frozenset(
    c.key for c in ContactPerson.__table__.c if isinstance(c.type, CodeList)
)


@dataclass(frozen=True)
class RouteState:
    """What the routing helper shows of a State: its name and its treaties."""

    code: str
    name: str
    treaties_json: str

    # A State's own rules, read from these three columns.
    display_name = State.display_name
    treaties = State.treaties


@dataclass
class RouteAnswer:
    state: RouteState
    origin: RouteState | None
    # One tuple of rows per entry: its ENTRY_COLUMNS, then one contact person's columns
    # (members only; None when it has none).
    entries: list[tuple]


@functools.lru_cache(maxsize=64)
def _route_statement(measure: str, member: bool):
    """A State, the visitor's own State and the State's entries for ``measure``, in one query.

    Contact persons come along for members only. The requested State must be visible to the
    visitor here as well as in the caller's check.
    """
    codes = MEASURES[measure][1]
    origin = so.aliased(State, name="origin")
    columns = [State.code, State.name, State.treaties_json]
    columns += [origin.code, origin.name, origin.treaties_json, *ENTRY_COLUMNS]
    answers = sa.and_(
        Entry.state_code == State.code,
        Entry.deleted_at.is_(None),
        sa.or_(*(code_list_contains(Entry.designations, code) for code in codes)),
    )
    if member:
        columns += [column.label(f"contact_{column.name}") for column in CONTACT_COLUMNS]
    query = (
        sa.select(*columns)
        .select_from(State)
        .outerjoin(origin, origin.code == sa.bindparam("origin"))
        .outerjoin(Entry, answers)
        .where(State.code == sa.bindparam("state"))
        .where(visible_states_condition(_MEMBER if member else None))
    )
    if not member:
        return query.order_by(Entry.name, Entry.id)
    return query.outerjoin(ContactPerson, ContactPerson.entry_id == Entry.id).order_by(
        Entry.name, Entry.id, ContactPerson.is_deputy, ContactPerson.id
    )


def route(user, state_code: str, measure: str, origin_code: str = "") -> RouteAnswer | None:
    """``state_code``'s entries for ``measure``, the most specific designation first.

    ``origin_code`` (the visitor's State, for treaties) must be one the visitor may see; the
    caller checks. None when the State is unknown or not visible.
    """
    params = {"state": state_code, "origin": origin_code}
    rows = direct_reads.rows(_route_statement(measure, is_member(user)), params)
    if not rows:
        return None
    first = rows[0]
    state = RouteState(*first[0:3])
    origin = RouteState(*first[3:6]) if first[3] is not None else None
    groups: dict[int, list] = {}
    entry_id = 6 + ENTRY_INDEX["id"]
    for row in rows:
        if row[entry_id] is not None:
            groups.setdefault(row[entry_id], []).append(tuple(row)[6:])
    codes = MEASURES[measure][1]
    designations = ENTRY_INDEX["designations"]
    entries = sorted(
        (tuple(group) for group in groups.values()),
        key=lambda rows: min(
            codes.index(c) for c in parse_codes(rows[0][designations]) if c in codes
        ),
    )
    return RouteAnswer(state, origin, entries)


def treaties_between(state, other) -> list[dict]:
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
