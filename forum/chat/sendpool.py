"""Database connections reserved for sending messages, in a gevent server process.

A send is one autocommitted statement (see :mod:`forum.chat.messages`). Going through
SQLAlchemy's pool costs a checkout, a switch to autocommit and back, and a reset on return,
about a tenth of a message's CPU time; these connections stay in autocommit and are handed
out as they are. A connection that fails is closed, not returned, so a database restart
costs the failed send (which the client retries with the same client id), nothing more.

Enabled by ``CHAT_SEND_POOL_SIZE`` > 0 (the gevent entry points set it); everywhere else
sends use the application's own engine.
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
    def __init__(self, conninfo: str, size: int):
        self._conninfo = conninfo
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()

    @contextmanager
    def connection(self):
        if not self._slots.acquire(timeout=10):
            raise TimeoutError("no database connection for sending within 10 s")
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = psycopg.connect(self._conninfo, autocommit=True)
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
                url.render_as_string(hide_password=False), app.config["CHAT_SEND_POOL_SIZE"]
            )
            app.extensions["chat_send_pool"] = pool
    return pool


def current() -> SendPool | None:
    return for_app(current_app._get_current_object())
