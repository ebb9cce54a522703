"""PostgreSQL databases of a test's own on the TEST_DATABASE_URL server."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from config import database_url


def _on_admin_database(base_url: str, statement: str) -> None:
    admin_engine = sa.create_engine(database_url(base_url), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(sa.text(statement))
    admin_engine.dispose()


@contextlib.contextmanager
def postgres_database(base_url: str, name: str):
    """Create database ``name`` empty, yield its URL, and drop it afterwards, whatever happens.

    Callers put the process id in ``name`` so that two simultaneous test runs stay apart.
    """
    _on_admin_database(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _on_admin_database(base_url, f'CREATE DATABASE "{name}"')
    url = sa.make_url(database_url(base_url)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        _on_admin_database(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
