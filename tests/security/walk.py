"""Helpers for tests that walk every route of the URL map, and that check nothing was written."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import AnyConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import PathConverter
from werkzeug.routing import UUIDConverter

from forum.extensions import db

# Endpoints anyone may call; every other endpoint must refuse a visitor who is not signed in.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.login_code",
        "auth.logout",
        "auth.accept_invitation",
        "auth.request_password_reset",
        "auth.reset_password",
        "directory.home",
        "directory.state_page",
        "directory.route",
        "directory.export_csv",
        "directory.export_json",
        "directory.sitemap",
        "main.healthz",
        "membership.apply",
        "membership.application_sent",
        "membership.confirm_application",
        "static",
    }
)
# What a password-only session (second factor not enrolled yet) may reach besides public pages.
ENROLMENT_ENDPOINTS = frozenset({"auth.enrol_totp", "auth.logout"})
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class RouteRequest:
    endpoint: str
    method: str
    url: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.endpoint})"


def _plausible_value(name: str, converter) -> object:
    """A value the rule accepts: 1 for ids, a random token for strings."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, PathConverter):
        return "css/liaison.css" if name == "filename" else "x"
    return secrets.token_urlsafe(16)


def route_requests(app: Flask, *, methods: set[str] | None = None) -> list[RouteRequest]:
    """One request per (rule, method) in the URL map, URL variables filled in."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        values = {name: _plausible_value(name, conv) for name, conv in rule._converters.items()}
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            if methods is not None and method not in methods:
                continue
            url = adapter.build(rule.endpoint, values, method=method)
            found.append(RouteRequest(rule.endpoint, method, url))
    return found


def send(client, request: RouteRequest, **kwargs):
    """Send the request; the body is read and the response closed (static files hold a file)."""
    response = client.open(request.url, method=request.method, **kwargs)
    response.get_data()
    response.close()
    return response


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a request."""
    db.session.expire_all()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        snapshot[table.name] = sorted((tuple(row) for row in rows), key=repr)
    db.session.rollback()
    return snapshot
