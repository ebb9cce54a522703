"""Security review of discussions: attacks found by the review, each one now refused.

- A space owner may not demote another owner by "adding" them again as a plain member
  (only moderators name or remove owners).
"""

from __future__ import annotations

import sqlalchemy as sa

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
