"""Security review of discussions: attacks found by the review, each one now refused.

- A space owner may not demote another owner by "adding" them again as a plain member
  (only moderators name or remove owners).
- A mistyped end date is refused, not read as "no end date" (which would reopen an ended
  space to its former members).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.db_types import utcnow
from forum.discussions.models import Space
from forum.discussions.models import SpaceMember
from forum.discussions.models import SpaceRole
from forum.discussions.spaces import do_add_space_member
from forum.extensions import db


def test_owner_cannot_demote_a_co_owner_by_re_adding_them(space, moderator, alice, bob, client_for):
    do_add_space_member(moderator, space, bob.email, SpaceRole.OWNER)
    answer = client_for(alice).post(
        f"/discussions/s/{space.id}/members", data={"email": bob.email, "role": "member"}
    )
    assert answer.status_code == 403
    db.session.expire_all()
    role = db.session.scalar(
        sa.select(SpaceMember.role).where(
            SpaceMember.space_id == space.id, SpaceMember.user_id == bob.id
        )
    )
    assert role == SpaceRole.OWNER


def test_mistyped_end_date_does_not_reopen_an_ended_space(space, moderator, client_for):
    ended = utcnow() - timedelta(days=1)
    space.ends_at = ended
    db.session.commit()
    answer = client_for(moderator).post(
        f"/discussions/s/{space.id}/end", data={"ends_on": "2031-02-31"}
    )
    assert answer.status_code == 400
    db.session.expire_all()
    assert db.session.get(Space, space.id).ends_at == ended
