"""Account tests send every request in a context of its own, as a real server does.

Without it, ``g`` (the loaded session record, Flask-Login's user) would carry over from
one request to the next through the ``app`` fixture's open context, even to another client
that has no cookie; see ``tests/isolation.py``. Tests then read what requests wrote
through their own database session (refresh or expire before reading).
"""

from __future__ import annotations

import pytest

from tests.isolation import isolate_requests


@pytest.fixture(autouse=True)
def _isolated_requests(monkeypatch):
    isolate_requests(monkeypatch)
