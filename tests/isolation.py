"""Test clients whose requests each get their own application context, as on a real server.

The shared ``app`` fixture keeps an application context open for the whole test, and Flask
reuses an open context for requests to the same app: ``g`` (the loaded session record,
Flask-Login's user, the chosen locale) would carry over from one request to the next.
Running each request in a fresh ``contextvars`` context gives it its own application
context, ``g`` and database session.
"""

from __future__ import annotations

import contextvars

from flask import Flask
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's application context."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def isolate_requests(monkeypatch) -> None:
    """Make every client built during the test (also through ``app_factory``) isolated."""
    monkeypatch.setattr(Flask, "test_client_class", IsolatedClient)
