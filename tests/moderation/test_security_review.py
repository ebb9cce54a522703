"""Security review of moderation: attacks found by the review, each one now refused.

- Flag decisions tell the author by notice and e-mail; for a thread in a private space the
  message must not carry the thread's title (space e-mails carry no title or text).
"""

from __future__ import annotations

import pytest

from forum.discussions.models import Category
from forum.discussions.spaces import do_add_space_member
from forum.discussions.spaces import do_create_space
from forum.extensions import db
from tests.factories import make_user
from tests.moderation.test_flags import make_flagged_post

SECRET_TITLE = "Freezing order Lyon accounts"


@pytest.mark.parametrize("decision", ["hide", "warn", "lock", "move"])
def test_flag_decision_mail_leaks_no_space_thread_title(
    as_user, moderator, member, outbox, decision
):
    space = do_create_space(moderator, "Joint investigation")
    do_add_space_member(moderator, space, member.email)
    post = make_flagged_post(member, [make_user()], title=SECRET_TITLE)
    post.thread.space_id = space.id
    other = Category(slug="elsewhere", name="Elsewhere")
    db.session.add(other)
    db.session.commit()
    outbox.clear()
    answer = as_user(moderator).post(
        f"/moderation/flags/{post.id}/{decision}",
        data={"reason": "Off topic", "category_id": other.id},
    )
    assert answer.status_code == 302
    assert outbox, "the author is told"
    for message in outbox:
        assert SECRET_TITLE not in message.as_string()
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert SECRET_TITLE not in part.get_content()
