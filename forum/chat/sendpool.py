"""Database connections reserved for sending messages, in a gevent server process.

A send is one autocommitted statement (see :mod:`forum.chat.messages`). Going through
SQLAlchemy's pool costs a checkout, a switch to autocommit and back, and a reset on return,
about a tenth of a message's CPU time; these connections stay in autocommit and are handed
out as they are. A connection that fails is closed, not returned, so a database restart
costs the failed send (which the client retries with the same client id), nothing more.

Enabled by ``CHAT_SEND_POOL_SIZE`` > 0 (the gevent entry points set it); everywhere else
sends use the application's own engine. With it, sends are group-committed
(:class:`GroupCommit`): those arriving while a write is in progress go out together next.
"""

from __future__ import annotations

import queue
import threading
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from flask import current_app

from forum.extensions import db


class SendPool:
    def __init__(self, conninfo: str, size: int, *, statement_timeout_ms: int = 10_000):
        self._conninfo = conninfo
        # Sends of one process are written one batch at a time (GroupCommit): a statement that
        # never finished would hold up every later send of the process. The server cancels
        # it instead; its senders get an error, their clients resend with the same ids.
        self._options = f"-c statement_timeout={int(statement_timeout_ms)}"
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self.sends: GroupCommit | None = None  # set up by forum.chat.messages

    @contextmanager
    def connection(self):
        if not self._slots.acquire(timeout=10):
            raise TimeoutError("no database connection for sending within 10 s")
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = psycopg.connect(self._conninfo, autocommit=True, options=self._options)
            try:
                yield conn
            except BaseException:
                conn.close()
                raise
            if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.close()
            else:
                self._idle.put(conn)
        finally:
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class _Batch:
    __slots__ = ("items", "results", "error", "turn", "done")

    def __init__(self):
        self.items: list = []
        self.results: list | None = None
        self.error: BaseException | None = None
        self.turn = threading.Event()
        self.done = threading.Event()


class GroupCommit:
    """Concurrent writes as one: one statement, one commit (one WAL flush) for many sends.

    A send arriving while no batch is being written writes at once, alone: an idle server
    adds no delay. Sends arriving meanwhile gather in the next batch, which the first of
    them writes as soon as the write in progress has finished. ``write`` takes the batch's
    items and returns one result per item, in order; every caller gets its own result, or
    the batch's error, only once the batch is committed. Batches are written one at a time,
    in arrival order, so results (e.g. ids from a sequence) follow arrival order too.
    """

    def __init__(self, write):
        self._write = write
        self._lock = threading.Lock()
        self._open: _Batch | None = None
        self._busy = False

    def submit(self, item):
        with self._lock:
            batch = self._open
            leader = batch is None
            if leader:
                batch = self._open = _Batch()
            index = len(batch.items)
            batch.items.append(item)
            now = leader and not self._busy
            if now:
                self._busy, self._open = True, None
        if leader:
            if not now:
                batch.turn.wait()
            self._run(batch)
        else:
            batch.done.wait()
        if batch.results is None:
            raise batch.error or RuntimeError("the batch was not written")
        return batch.results[index]

    def _run(self, batch: _Batch) -> None:
        try:
            batch.results = self._write(batch.items)
        except Exception as error:
            batch.error = error
            raise
        finally:
            batch.done.set()
            with self._lock:
                following = self._open
                if following is None:
                    self._busy = False
                else:
                    self._open = None
                    following.turn.set()


_lock = threading.Lock()


def for_app(app) -> SendPool | None:
    """This app's pool, created on first use; None when disabled or not on PostgreSQL."""
    pool = app.extensions.get("chat_send_pool")
    if pool is not None or not app.config.get("CHAT_SEND_POOL_SIZE"):
        return pool
    if db.engine.dialect.name != "postgresql":
        return None
    with _lock:
        pool = app.extensions.get("chat_send_pool")
        if pool is None:
            url = sa.make_url(db.engine.url).set(drivername="postgresql")
            pool = SendPool(
                url.render_as_string(hide_password=False),
                app.config["CHAT_SEND_POOL_SIZE"],
                statement_timeout_ms=app.config.get("CHAT_SEND_STATEMENT_TIMEOUT_MS", 10_000),
            )
            app.extensions["chat_send_pool"] = pool
    return pool


def current() -> SendPool | None:
    return for_app(current_app._get_current_object())
