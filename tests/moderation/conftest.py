"""Fixtures for membership and moderation: signed-in clients per role, applications."""

from __future__ import annotations

import time

import pytest

from forum.auth import totp
from forum.auth.models import Role
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import Application
from forum.moderation.models import ApplicationStatus
from tests.factories import make_user
from tests.factories import totp_code


def _safe_code(user) -> str:
    """A code from the current step or later, never the previous one.

    A code from the previous step is refused when the 30-second window turns between the
    test computing it and the server checking it: a rare failure on a busy machine.
    """
    current = int(time.time() // totp.STEP_SECONDS)
    db.session.refresh(user)
    if user.totp_last_step + 1 > current + totp.ALLOWED_DRIFT_STEPS:
        user.totp_last_step = current - 1
        db.session.commit()
    return totp_code(user, step=max(current, user.totp_last_step + 1))


def signed_in_client(app, user):
    """A new browser signed in as ``user`` with password and code."""
    client = app.test_client()
    first = client.post("/auth/login", data={"email": user.email, "password": user.test_password})
    assert first.status_code == 302, first.status_code
    answer = client.post("/auth/login/code", data={"code": _safe_code(user)})
    assert answer.status_code == 302, answer.status_code
    return client


@pytest.fixture
def as_user(app):
    """``as_user(user)`` → a new test client signed in as that user."""
    return lambda user: signed_in_client(app, user)


@pytest.fixture
def focal_fr(app):
    return make_user(email="fp.fr@justice.example", role=Role.FOCAL_POINT, state_code="FR")


@pytest.fixture
def focal_de(app):
    return make_user(email="fp.de@justiz.example", role=Role.FOCAL_POINT, state_code="DE")


def make_application(
    *, state_code: str = "FR", email: str | None = None, status=ApplicationStatus.PENDING
) -> Application:
    application = Application(
        email=email or f"applicant.{state_code.lower()}@ministry.example",
        display_name=f"Applicant {state_code}",
        state_code=state_code,
        authority_name="Central authority",
        function="Prosecutor",
        motivation="I handle incoming mutual legal assistance requests every day.",
        status=status,
        confirmed_at=utcnow() if status != ApplicationStatus.UNCONFIRMED else None,
    )
    db.session.add(application)
    db.session.commit()
    return application
