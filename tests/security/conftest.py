"""Security tests send every request in a context of its own, as a real server does."""

from __future__ import annotations

import pytest

from tests.isolation import isolate_requests


@pytest.fixture(autouse=True)
def _isolated_requests(monkeypatch):
    isolate_requests(monkeypatch)
