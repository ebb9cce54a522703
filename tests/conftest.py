"""Shared fixtures: an app per database backend, a client, and a logged-in helper.

Every test that uses ``app`` runs on SQLite and, when TEST_DATABASE_URL is set, on
PostgreSQL. The schema comes from the migrations, once per backend and worker; each
test then starts from empty tables.
"""

from __future__ import annotations

import contextlib
import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum import create_app
from forum import mail
from forum.extensions import db
from tests.catalogues import compile_catalogues
from tests.databases import postgres_database
from tests.factories import make_user
from tests.factories import totp_code
from tests.isolation import isolate_requests

STRICT = os.environ.get("LIAISON_STRICT_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` are not collected for the SQLite backend at all.

    Deselecting (rather than skipping) keeps strict CI mode meaningful: a skip there is
    always a missing service, never a test that does not apply.
    """
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database") if callspec else None
        if item.get_closest_marker("postgres_only") and backend == "sqlite":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (LIAISON_STRICT_TESTS=1) a skipped test is a failed test."""
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (CI requires it to run): {report.longrepr}"


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Tests may rely on the French and Spanish texts without ``make translations``."""
    compile_catalogues()


@pytest.fixture(autouse=True)
def _isolated_requests(monkeypatch):
    """Each test-client request gets its own application context and ``g``, as on a server."""
    isolate_requests(monkeypatch)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    """A migrated, empty database URL for one backend."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        else:
            base = os.environ.get("TEST_DATABASE_URL")
            if not base:
                pytest.skip("TEST_DATABASE_URL is not set")
            url = stack.enter_context(
                postgres_database(base, f"liaison_test_{_worker()}_{os.getpid()}")
            )
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_factory(database):
    """Build apps on the test database; tests that need a second process-like app use it."""
    built = []

    def build(**overrides):
        settings = {"SQLALCHEMY_DATABASE_URI": database, "WTF_CSRF_ENABLED": False}
        settings.update(overrides)
        application = create_app("testing", settings)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    application = app_factory()
    mail.memory_outbox.clear()
    with application.app_context():
        _empty_tables()
        yield application
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    return mail.memory_outbox


class AuthActions:
    """Log a test client in and out the way a person does: password, then code."""

    def __init__(self, client):
        self.client = client

    def login(self, user, code: str | None = None):
        response = self.client.post(
            "/auth/login", data={"email": user.email, "password": user.test_password}
        )
        assert response.status_code == 302, response.status_code
        return self.client.post("/auth/login/code", data={"code": code or totp_code(user)})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def member(app):
    return make_user(email="member@example.org", display_name="Marie Membre")


@pytest.fixture
def moderator(app):
    from forum.auth.models import Role

    return make_user(email="moderator@example.org", role=Role.MODERATOR, state_code=None)


@pytest.fixture
def admin_user(app):
    from forum.auth.models import Role

    return make_user(email="admin@example.org", role=Role.ADMIN, state_code=None)
