"""One-statement reads straight through the database driver, for every request's hot path.

Every signed-in request reads its session record with its member, and every page the
navigation's counts. Through SQLAlchemy's ORM session those two statements cost about 1 ms
of CPU a request on PostgreSQL (session and transaction bookkeeping, statement caching, row
and identity-map processing): five times a bare Flask request. The statements are still
written with SQLAlchemy and compiled once; on PostgreSQL they then run through psycopg on a
connection borrowed from the engine's pool and switched to autocommit for that one
statement: one round trip, one consistent snapshot, no ``BEGIN``/``ROLLBACK``, a fifth of
the CPU. What they return is what a Core query would: rows of plain values, with
:class:`~forum.db_types.UTCDateTime` columns made timezone-aware the same way.

SQLite (development, tests, small installations) runs the same statements through the
engine: nothing to win there, and one way of writing them. :func:`rows` is the same idea for
statements :func:`first` does not take, through SQLAlchemy's Core layer.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from blinker import Namespace

from forum.db_types import UTCDateTime
from forum.extensions import db

# Sent with the SQL of each statement run on the driver, which SQLAlchemy's engine events do
# not see (tests count a page's queries with both).
statement_executed = Namespace().signal("direct-read")


class _Compiled:
    """A statement compiled once for psycopg, with the converters its columns need."""

    def __init__(self, statement: sa.Select, dialect):
        compiled = statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            raise ValueError("expanding IN parameters are not supported by direct reads")
        self.sql = compiled.string
        # Values the statement carries itself; the caller's parameters are added per call.
        self.defaults = {key: _bind(value) for key, value in compiled.params.items()}
        self.aware = tuple(
            index
            for index, column in enumerate(statement.selected_columns)
            if isinstance(column.type, UTCDateTime)
        )


_COMPILED: dict[sa.Select, _Compiled] = {}
# Statements are meant to be built once (module constants); a caller that builds one per call
# still works, and cannot grow the memo without bound.
_MAX_COMPILED = 256


def _compiled(statement: sa.Select, dialect) -> _Compiled:
    compiled = _COMPILED.get(statement)
    if compiled is None:
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        compiled = _COMPILED[statement] = _Compiled(statement, dialect)
    return compiled


def _bind(value):
    """psycopg gets naive UTC for datetimes, as the columns store them."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def first(statement: sa.Select, params: dict) -> tuple | None:
    """The first row of ``statement``, built once and reused (it is compiled once).

    Parameters may be ints, strings, booleans and datetimes: the types the hot-path
    statements compare with (no custom bind processing happens here).
    """
    engine = db.engine
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            row = conn.execute(statement, params).first()
        return None if row is None else tuple(row)
    compiled = _compiled(statement, engine.dialect)
    bound = {**compiled.defaults, **{key: _bind(value) for key, value in params.items()}}
    if statement_executed.receivers:
        statement_executed.send(compiled.sql)
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        driver.autocommit = True
        try:
            with driver.cursor() as cursor:
                cursor.execute(compiled.sql, bound)
                row = cursor.fetchone()
        finally:
            if not driver.closed:
                driver.autocommit = False
    except BaseException:
        connection.invalidate()
        raise
    finally:
        connection.close()
    if row is None or not compiled.aware:
        return row
    row = list(row)
    for index in compiled.aware:
        if row[index] is not None:
            row[index] = row[index].replace(tzinfo=UTC)
    return tuple(row)


def rows(statement, params: dict | None = None) -> list[sa.Row]:
    """Every row of one read through the engine, in autocommit, outside the ORM session.

    For page statements that :func:`first` does not take (many rows, expanding ``IN``
    parameters): still no ``BEGIN``/``ROLLBACK`` and no session bookkeeping, at the price
    of SQLAlchemy's Core layer. Each statement is its own snapshot, so each must carry its
    own visibility rule.
    """
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params or {}).all()
