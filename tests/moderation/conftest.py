"""Fixtures for membership and moderation: signed-in clients per role, applications."""

from __future__ import annotations

import pytest

from forum.auth.models import Role
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import Application
from forum.moderation.models import ApplicationStatus
from tests.auth.helpers import logged_in_client
from tests.factories import make_user


@pytest.fixture
def as_user(app):
    """``as_user(user)`` → a new test client signed in as that user."""
    return lambda user: logged_in_client(app, user)


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
