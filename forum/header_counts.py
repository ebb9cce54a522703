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

import sqlalchemy as sa
from flask import g

from forum.extensions import db

Builder = Callable[[object], sa.Select]
_BUILDERS: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    """``builder(user)`` returns a SELECT of one integer for that member."""
    _BUILDERS[name] = builder


def get(name: str, user) -> int:
    """This request's value of one count for ``user`` (0 for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = g.get("_header_counts")
    if cached is None or cached[0] != user.id:
        names = list(_BUILDERS)
        row = db.session.execute(
            sa.select(*(_BUILDERS[n](user).scalar_subquery().label(n) for n in names))
        ).one()
        cached = (user.id, dict(zip(names, row, strict=True)))
        g._header_counts = cached
    return int(cached[1][name] or 0)


def forget() -> None:
    g.pop("_header_counts", None)
