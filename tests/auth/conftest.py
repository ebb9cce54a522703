"""Account tests send every request in a context of its own, as a real server does.

The shared ``app`` fixture keeps an application context open for the whole test. Flask
reuses an open context for requests to the same app, so ``g`` (the loaded session record,
Flask-Login's user, the locale) would carry over from one request to the next, even to
another client that has no cookie at all. Running each request in a fresh ``contextvars``
context gives it its own application context, ``g`` and database session; the test then
reads what the requests wrote through its own session (refresh or expire before reading).
"""

from __future__ import annotations

import contextvars

import pytest
from flask import Flask
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's application context."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(autouse=True)
def _isolated_requests(monkeypatch):
    """Every client built in this folder, also through ``app_factory``, is isolated."""
    monkeypatch.setattr(Flask, "test_client_class", IsolatedClient)
