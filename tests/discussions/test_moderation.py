"""Moderation hooks: pin, lock, hide/unhide, move threads and hide posts, each with a reason
and an audit row; flags by any reader; members cannot use the moderators' routes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.auth.actions import ActionError
from forum.discussions import actions
from forum.discussions import moderation
from forum.discussions.models import Category
from forum.discussions.models import Flag
from forum.discussions.models import Post
from forum.extensions import db
from tests.auth.helpers import audit_rows


def test_flag_with_reason_once(general, alice, bob, client_for):
    actions.do_create_thread(alice, general, "Title here", "text")
    post = db.session.scalar(sa.select(Post))
    b = client_for(bob)
    assert (
        b.post(f"/discussions/p/{post.id}/flag", data={"reason": "Personal data"}).status_code
        == 302
    )
    flag = db.session.scalar(moderation.open_flags_query())
    assert (flag.reporter_id, flag.reason) == (bob.id, "Personal data")
    with pytest.raises(ActionError):
        moderation.do_flag_post(bob, post, "again")
    assert audit_rows("discussions.post_flagged")


def test_outsider_cannot_flag_a_space_post(private_thread, carol):
    post = db.session.scalar(sa.select(Post))
    with pytest.raises(ActionError) as refused:
        moderation.do_flag_post(carol, post, "curious")
    assert refused.value.status == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 0


def test_moderator_actions_need_a_reason_and_are_audited(general, alice, moderator, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "text")
    other = Category(slug="extradition", name="Extradition")
    db.session.add(other)
    db.session.commit()
    with pytest.raises(ActionError):
        moderation.do_lock_thread(moderator, thread, "  ")
    moderation.do_pin_thread(moderator, thread, "Useful")
    moderation.do_lock_thread(moderator, thread, "Resolved")
    moderation.do_move_thread(moderator, thread, other, "Wrong category")
    post = db.session.scalar(sa.select(Post))
    moderation.do_hide_post(moderator, post, "Personal data")
    assert (thread.pinned, thread.locked, thread.category_id) == (True, True, other.id)
    for action in ("thread_pinned", "thread_locked", "thread_moved", "post_hidden"):
        (row,) = audit_rows(f"discussions.{action}")
        assert row.actor_id == moderator.id and row.details_dict["reason"]
    assert (
        client_for(alice)
        .post(f"/discussions/t/{thread.id}/reply", data={"body": "late"})
        .status_code
        == 403
    )


def test_members_cannot_moderate(general, alice, bob, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "text")
    post = db.session.scalar(sa.select(Post))
    b = client_for(bob)
    assert (
        b.post(
            f"/discussions/t/{thread.id}/moderate", data={"action": "lock", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        b.post(f"/discussions/p/{post.id}/moderate/hide", data={"reason": "x"}).status_code == 403
    )
    with pytest.raises(ActionError):
        moderation.do_hide_post(bob, post, "x")


def test_hidden_thread_disappears_for_members(general, alice, bob, moderator, client_for):
    thread = actions.do_create_thread(alice, general, "Hidden title", "text")
    client_for(moderator).post(
        f"/discussions/t/{thread.id}/moderate", data={"action": "hide", "reason": "Leak"}
    )
    assert client_for(bob).get(f"/discussions/t/{thread.id}").status_code == 404
    assert "Hidden title" not in client_for(bob).get("/discussions/").text
