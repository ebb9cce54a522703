"""SQLite settings for the embedded database: write-ahead log, shorter busy waits.

In SQLite's default rollback journal a reader's lock blocks a writer's commit. Under gevent
(production) the writer's busy wait is a blocking sleep inside the driver: it stops the whole
process, including the very greenlet whose read it waits for, until the timeout (5 s) ends
it — tail latencies of seconds with only eight concurrent requests. In write-ahead-log mode
readers and the writer do not block each other (only writers queue, for the length of a
commit); ``synchronous=NORMAL`` is durable in that mode except for the last transactions on
power loss, not on an application crash.
"""

from __future__ import annotations

import sqlalchemy as sa


def install(engine: sa.Engine) -> None:
    """Apply the settings to every connection ``engine`` opens on a SQLite file."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    sa.event.listen(engine, "connect", _configure)


def _configure(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
