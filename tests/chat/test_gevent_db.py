"""Under gevent (production), a database wait must not block the other sockets: psycopg must
pick its cooperative wait function once the process is monkey-patched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.chat.processes import ROOT

pytestmark = pytest.mark.postgres

_PROBE = r"""
from gevent import monkey
monkey.patch_all()
import sys, time
import gevent
import psycopg.waiting
import sqlalchemy as sa
from config import database_url

assert psycopg.waiting.wait is not getattr(psycopg.waiting, "wait_c", None), "blocking wait_c"
engine = sa.create_engine(database_url(sys.argv[1]), pool_size=10)
ticks = []

def ticker():
    while True:
        ticks.append(time.monotonic())
        gevent.sleep(0.01)

def slow_query():
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_sleep(0.5)"))

beat = gevent.spawn(ticker)
start = time.monotonic()
gevent.joinall([gevent.spawn(slow_query) for _ in range(8)])
elapsed = time.monotonic() - start
beat.kill()
gaps = [b - a for a, b in zip(ticks, ticks[1:])]
print(f"{elapsed:.3f} {max(gaps):.3f} {len(ticks)}")
"""


def test_database_waits_yield_to_other_greenlets():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, base], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    elapsed, longest_gap, ticks = result.stdout.split()
    # Eight half-second queries overlap (a blocking driver would take four seconds) ...
    assert float(elapsed) < 1.5
    # ... and the loop kept ticking meanwhile (a blocked loop shows a 0.5 s gap).
    assert float(longest_gap) < 0.2
    assert int(ticks) > 20
