"""Flag queue: flagged posts grouped with reasons and counts; hide, dismiss, warn, lock, move.

Each decision needs a reason, resolves the post's open flags, is audited, and tells the author
privately (a notice in the app and an e-mail). Members are refused; the queue page costs a
constant number of queries however many flags are open.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.discussions.models import Category
from forum.discussions.models import Flag
from forum.discussions.models import Post
from forum.discussions.models import Thread
from forum.extensions import db
from forum.moderation.models import Notice
from tests.auth.helpers import audit_rows
from tests.factories import make_user
from tests.statements import recorded_statements


def make_flagged_post(author, reporters, *, category=None, title="Extradition delays"):
    category = category or Category(slug=f"c{author.id}-{title[:5]}", name="General")
    thread = Thread(category=category, author_id=author.id, title=title, post_count=1)
    db.session.add(thread)
    db.session.flush()
    post = Post(thread_id=thread.id, number=1, author_id=author.id, body="Names: X, Y", html="")
    db.session.add(post)
    db.session.flush()
    for reporter in reporters:
        db.session.add(Flag(post_id=post.id, reporter_id=reporter.id, reason=f"by {reporter.id}"))
    db.session.commit()
    return post


@pytest.fixture
def flagged(app, member):
    reporters = [make_user(), make_user()]
    return make_flagged_post(member, reporters)


def open_flags() -> list[Flag]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Flag).where(Flag.resolved_at.is_(None))))


def notices_of(user) -> list[Notice]:
    return list(db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id)))


def test_queue_groups_flags_by_post(as_user, moderator, flagged):
    page = as_user(moderator).get("/moderation/flags")
    assert page.status_code == 200
    assert page.text.count('data-testid="flagged-post"') == 1
    assert "2 flags" in page.text
    assert "Extradition delays" in page.text


def test_queue_costs_constant_queries(app, as_user, moderator, member):
    staff = as_user(moderator)

    def count_queries() -> int:
        with recorded_statements() as statements:
            assert staff.get("/moderation/flags").status_code == 200
        return len(statements)

    make_flagged_post(member, [make_user()], title="one")
    few = count_queries()
    for n in range(6):
        make_flagged_post(make_user(), [make_user(), make_user()], title=f"more {n}")
    assert count_queries() == few


@pytest.mark.parametrize("decision", ["hide", "warn", "lock", "dismiss"])
def test_each_decision_needs_a_reason(as_user, moderator, flagged, decision):
    answer = as_user(moderator).post(f"/moderation/flags/{flagged.id}/{decision}")
    assert answer.status_code == 400
    assert len(open_flags()) == 2


def test_hide_resolves_flags_and_tells_the_author(as_user, moderator, member, flagged, outbox):
    answer = as_user(moderator).post(
        f"/moderation/flags/{flagged.id}/hide", data={"reason": "Personal data"}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).hidden_at is not None
    assert open_flags() == []
    [notice] = notices_of(member)
    assert "Personal data" in notice.body
    assert outbox[-1]["To"] == member.email
    assert len(audit_rows("discussions.post_hidden")) == 1


def test_warn_is_a_private_notice(as_user, moderator, member, flagged, outbox):
    as_user(moderator).post(f"/moderation/flags/{flagged.id}/warn", data={"reason": "Tone"})
    db.session.expire_all()
    assert db.session.get(Post, flagged.id).hidden_at is None
    [notice] = notices_of(member)
    assert notice.subject == "A warning from the moderators"
    assert [r.target_id for r in audit_rows("member.warned")] == [str(member.id)]
    assert open_flags() == []
    assert "Notices (1)" in as_user(member).get("/").text


def test_lock_and_move(as_user, moderator, member, flagged):
    staff = as_user(moderator)
    staff.post(f"/moderation/flags/{flagged.id}/lock", data={"reason": "Off topic"})
    db.session.expire_all()
    assert db.session.get(Thread, flagged.thread_id).locked
    other = Category(slug="case-examples", name="Case examples")
    db.session.add(other)
    db.session.commit()
    db.session.add(Flag(post_id=flagged.id, reporter_id=moderator.id, reason="wrong place"))
    db.session.commit()
    refused = staff.post(f"/moderation/flags/{flagged.id}/move", data={"reason": "x"})
    assert refused.status_code == 400
    answer = staff.post(
        f"/moderation/flags/{flagged.id}/move",
        data={"reason": "Belongs with cases", "category_id": other.id},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, flagged.thread_id).category_id == other.id
    assert len(notices_of(member)) == 2


def test_dismiss_leaves_the_post(as_user, moderator, member, flagged):
    as_user(moderator).post(f"/moderation/flags/{flagged.id}/dismiss", data={"reason": "Fine"})
    assert open_flags() == []
    assert notices_of(member) == []
    [entry] = audit_rows("discussions.flags_resolved")
    assert len(entry.details_dict["flag_ids"]) == 2


def test_members_are_refused(as_user, member, flagged):
    client = as_user(member)
    assert client.get("/moderation/flags").status_code == 403
    assert (
        client.post(f"/moderation/flags/{flagged.id}/hide", data={"reason": "x"}).status_code == 403
    )
