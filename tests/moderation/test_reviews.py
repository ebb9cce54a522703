"""Yearly re-vetting with ``flask members review``.

Covered: each State with a focal point gets one review a year and its focal points an
e-mail; a focal point confirms members and reports departures, which moderators then see
flagged; another State's focal point and members are refused; inactive members are counted.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import StateReview
from tests.auth.helpers import link_path
from tests.factories import make_user


def _run(app):
    result = app.test_cli_runner().invoke(args=["members", "review"])
    assert result.exit_code == 0, result.output
    return result.output


def test_review_is_requested_once_a_year(app, focal_fr, focal_de, outbox):
    idle = make_user(state_code="FR")
    idle.last_seen_at = utcnow() - timedelta(days=200)
    db.session.commit()
    output = _run(app)
    assert "Reviews requested: DE, FR" in output
    assert "not seen since" in output
    assert {m["To"] for m in outbox} == {focal_fr.email, focal_de.email}
    assert link_path(outbox[0], "/moderation/reviews/")
    outbox.clear()
    assert "Reviews requested: none" in _run(app)
    assert outbox == []
    # A year later, again.
    db.session.execute(sa.update(StateReview).values(requested_at=utcnow() - timedelta(days=366)))
    db.session.commit()
    assert "Reviews requested: DE, FR" in _run(app)


def test_focal_point_reports_a_departure(app, as_user, focal_fr, focal_de, moderator):
    stays = make_user(state_code="FR", display_name="Stays Here")
    leaves = make_user(state_code="FR", display_name="Has Left")
    german = make_user(state_code="DE")
    _run(app)
    review = db.session.scalar(sa.select(StateReview).where(StateReview.state_code == "FR"))
    assert as_user(focal_de).get(f"/moderation/reviews/{review.id}").status_code == 403
    client = as_user(focal_fr)
    page = client.get(f"/moderation/reviews/{review.id}")
    assert "Stays Here" in page.text and "Has Left" in page.text
    answer = client.post(
        f"/moderation/reviews/{review.id}", data={"departed": [str(leaves.id), str(german.id)]}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert review.departed_ids == str(leaves.id)  # another State's member is ignored
    staff = as_user(moderator)
    assert "reported as departed" in staff.get("/moderation/members?state=FR").text
    assert "reported as departed" not in staff.get("/moderation/members?state=DE").text
    detail = staff.get(f"/moderation/members/{leaves.id}")
    assert "reported that they have left" in detail.text
    assert stays.id != leaves.id
    again = client.post(f"/moderation/reviews/{review.id}", data={})
    assert again.status_code == 409


def test_members_cannot_see_reviews(as_user, member):
    assert as_user(member).get("/moderation/reviews").status_code == 403
