"""Discussion fixtures: categories, a private space with two members, a client per person.

Attachments go to a temporary folder; the SQLite search index (outside the models, so not
emptied by the shared fixture) is emptied before each test.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.discussions import actions
from forum.discussions.models import Category
from forum.discussions.models import SpaceRole
from forum.discussions.spaces import do_add_space_member
from forum.discussions.spaces import do_create_space
from forum.extensions import db
from tests.auth.helpers import logged_in_client
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _discussion_storage(request, tmp_path):
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DELETE FROM post_search"))
        db.session.commit()


@pytest.fixture
def general(app):
    category = Category(slug="general", name="General")
    db.session.add(category)
    db.session.commit()
    return category


@pytest.fixture
def alice(app):
    return make_user(email="alice@example.org", display_name="Alice Alder")


@pytest.fixture
def bob(app):
    return make_user(email="bob@example.org", display_name="Bob Birch", state_code="DE")


@pytest.fixture
def carol(app):
    """A member outside the private space."""
    return make_user(email="carol@example.org", display_name="Carol Cedar", state_code="IT")


@pytest.fixture
def space(app, moderator, alice, bob):
    space = do_create_space(moderator, "Joint investigation FR-DE")
    do_add_space_member(moderator, space, alice.email, SpaceRole.OWNER)
    do_add_space_member(moderator, space, bob.email)
    return space


@pytest.fixture
def private_thread(space, general, alice):
    return actions.do_create_thread(
        alice, general, "Freezing order for the Lyon accounts", "Confidential plan", space=space
    )


@pytest.fixture
def client_for(app):
    def build(user):
        return logged_in_client(app, user)

    return build
