"""The small counts every page shows for the signed-in member, in one query per request.

The navigation shows badges from several areas (unread notifications, unread chat
messages, notices) and the home page a recovery-code count. Each was its own query, i.e. its
own round trip to the database, on every page. Areas register a builder here that returns a
scalar SELECT for a member; the first count a request asks for runs all of them as scalar
subqueries of one statement, and the request keeps the answers (``g``).

A count is read once per request: a view that changes what a count counts and then renders
in the same request must render after the change (every view here does: the header is
drawn by the final ``render_template``). :func:`forget` drops the request's copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import sqlalchemy as sa
from flask import g

from forum import direct_reads
from forum.db_types import utcnow

Builder = Callable[[object, object], sa.Select]
_BUILDERS: dict[str, Builder] = {}
# The combined statement, built once per shape (staff or not) with the member's id and the
# current instant as bound parameters: building it cost more CPU than running it.
_STATEMENTS: dict[bool, tuple[list[str], sa.Select]] = {}


class _Member(NamedTuple):
    """What a builder may read of the member: ``id`` (a bound parameter) and ``is_staff``."""

    id: object
    is_staff: bool


def register(name: str, builder: Builder) -> None:
    """``builder(member, now)`` returns a SELECT of one integer for that member.

    The statement is built once and reused for every member with the same ``is_staff``: a
    builder may use only ``member.id`` and ``member.is_staff``, and must compare times with
    ``now`` (not the clock), as both are bound per request.
    """
    _BUILDERS[name] = builder
    _STATEMENTS.clear()


def _statement(is_staff: bool) -> tuple[list[str], sa.Select]:
    if is_staff not in _STATEMENTS:
        member = _Member(sa.bindparam("header_member_id"), is_staff)
        now = sa.bindparam("header_now")  # takes the compared column's type (UTCDateTime)
        names = list(_BUILDERS)
        statement = sa.select(
            *(_BUILDERS[n](member, now).scalar_subquery().label(n) for n in names)
        )
        _STATEMENTS[is_staff] = (names, statement)
    return _STATEMENTS[is_staff]


def get(name: str, user) -> int:
    """This request's value of one count for ``user`` (0 for anonymous visitors)."""
    return all_counts(user).get(name, 0)


def all_counts(user) -> dict[str, int]:
    """Every registered count for ``user`` this request (empty for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = g.get("_header_counts")
    if cached is None or cached[0] != user.id:
        names, statement = _statement(bool(user.is_staff))
        row = direct_reads.first(statement, {"header_member_id": user.id, "header_now": utcnow()})
        cached = (user.id, {name: int(value or 0) for name, value in zip(names, row, strict=True)})
        g._header_counts = cached
    return cached[1]


def forget() -> None:
    g.pop("_header_counts", None)
