"""The embedded database: a reader never makes a writer wait (write-ahead log)."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.extensions import db


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    with app.app_context():
        yield app
        db.engine.dispose()


def test_the_file_database_uses_the_write_ahead_log(sqlite_app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_an_open_read_does_not_block_a_commit(sqlite_app):
    """Under gevent a blocked commit's busy wait stalls the whole process (forum/sqlite.py)."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    reader = db.engine.raw_connection()
    writer = db.engine.raw_connection()
    try:
        reader.driver_connection.isolation_level = None  # explicit transactions below
        reader.cursor().execute("BEGIN")
        assert reader.cursor().execute("SELECT n FROM t").fetchone() == (1,)
        writer.driver_connection.execute("PRAGMA busy_timeout = 50")
        writer.cursor().execute("UPDATE t SET n = 2")
        writer.commit()  # "database is locked" in the rollback journal mode
        # The reader keeps its snapshot until it ends its transaction.
        assert reader.cursor().execute("SELECT n FROM t").fetchone() == (1,)
        reader.cursor().execute("COMMIT")
        assert reader.cursor().execute("SELECT n FROM t").fetchone() == (2,)
    finally:
        reader.close()
        writer.close()
