"""Staleness (6 months by default, configurable) and reminders to focal points.

``flask directory remind`` e-mails the focal points of stale or empty States once, records
it, and sends nothing again within the interval; moderators see staleness per State.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.auth.models import Role
from forum.db_types import utcnow
from forum.directory.models import Reminder
from forum.directory.models import State
from forum.directory.policy import is_stale
from forum.extensions import db
from tests.auth.helpers import audit_actions
from tests.directory.conftest import PUBLIC
from tests.directory.conftest import make_entry
from tests.factories import make_user


def remind(app) -> str:
    result = app.test_cli_runner().invoke(args=["directory", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def test_entries_older_than_the_threshold_are_stale(app, client, states):
    make_entry(PUBLIC, "Old Prosecution Office", age_days=200)
    make_entry(PUBLIC, "Recent Prosecution Office", age_days=10)
    assert is_stale(utcnow() - timedelta(days=200))
    assert not is_stale(utcnow() - timedelta(days=10))
    page = client.get("/directory/?q=prosecution")
    rows = {line for line in page.text.splitlines() if "Prosecution Office</a>" in line}
    assert any("Old" in row and "Stale" in row for row in rows)
    assert any("Recent" in row and "Stale" not in row for row in rows)
    app.config["DIRECTORY_STALE_DAYS"] = 365
    assert not is_stale(utcnow() - timedelta(days=200))


def test_reminder_is_sent_once_then_not_again_within_the_interval(app, outbox, states):
    state = db.session.get(State, PUBLIC)
    state.last_updated_at = utcnow() - timedelta(days=300)
    db.session.commit()
    focal = make_user(email="fp@example.org", role=Role.FOCAL_POINT, state_code=PUBLIC)
    make_user(email="member.fr@example.org", state_code=PUBLIC)

    assert "FR: reminder sent to 1 focal point(s)" in remind(app)
    assert [m["To"] for m in outbox] == [focal.email]
    assert "France" in outbox[0]["Subject"]
    assert "/directory/FR" in outbox[0].get_body(("plain",)).get_content()
    assert "directory.reminder_sent" in audit_actions()
    assert "0 State(s) reminded." in remind(app)
    assert len(outbox) == 1

    # After the interval, a still-stale State is reminded again.
    reminder = db.session.scalar(sa.select(Reminder))
    reminder.sent_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert "FR: reminder sent" in remind(app)
    assert len(outbox) == 2


def test_fresh_states_and_states_without_focal_point_get_no_reminder(app, outbox, states):
    make_user(role=Role.FOCAL_POINT, state_code="TH")  # Thailand's entry is fresh
    remind(app)
    assert outbox == []


def test_empty_state_with_a_focal_point_is_reminded(app, outbox, states):
    make_user(email="fp.gh@example.org", role=Role.FOCAL_POINT, state_code="GH")
    assert "GH: reminder sent" in remind(app)
    assert db.session.scalar(sa.select(Reminder.reason)) == "empty"


def test_staleness_page_is_for_moderators(client, auth, member, states):
    make_user(role=Role.FOCAL_POINT, state_code="GH")
    auth.login(member)
    assert client.get("/directory/staleness").status_code == 403
    auth.logout()
    auth.login(make_user(role=Role.MODERATOR, state_code=None))
    page = client.get("/directory/staleness")
    assert page.status_code == 200
    assert "No focal point" in page.text and "No entries" in page.text
    only_empty = client.get("/directory/staleness?status=empty")
    assert "Ghana" in only_empty.text
    assert "France" not in only_empty.text
