"""Record the SQL statements a piece of code runs, however it reaches the database."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from forum import direct_reads
from forum.extensions import db


@contextlib.contextmanager
def recorded_statements():
    """Yield a list that fills with the SQL of every statement run inside the block.

    Both SQLAlchemy's engine and the driver-level reads of :mod:`forum.direct_reads`.
    """
    statements: list[str] = []

    def through_engine(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def through_driver(sql):
        statements.append(sql)

    sa.event.listen(db.engine, "before_cursor_execute", through_engine)
    direct_reads.statement_executed.connect(through_driver)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", through_engine)
        direct_reads.statement_executed.disconnect(through_driver)
