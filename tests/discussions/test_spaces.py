"""Private spaces: a member outside gets 404 for the thread, its attachment, its search hits and
its mention; lists and counts leave it out; an ended space locks members out while moderators
keep read-only access; only moderators and owners manage members."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.db_types import utcnow
from forum.discussions import actions
from forum.discussions.models import Attachment
from forum.discussions.models import Notification
from forum.discussions.models import Post
from forum.discussions.models import SpaceMember
from forum.extensions import db
from tests.discussions.helpers import PDF
from tests.discussions.helpers import form_file


def test_outsider_gets_404_for_thread_attachment_search_and_mention(
    private_thread, alice, bob, carol, client_for
):
    b = client_for(bob)
    answer = b.post(
        f"/discussions/t/{private_thread.id}/reply",
        data={
            "body": "Draft order attached. Pinging @carol@example.org and @alice@example.org",
            "files": [form_file("order.pdf", PDF)],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    reply = db.session.scalar(sa.select(Post).where(Post.number == 2))

    c = client_for(carol)
    assert c.get(f"/discussions/t/{private_thread.id}").status_code == 404
    assert c.get(f"/discussions/p/{reply.id}").status_code == 404
    assert c.get(f"/discussions/attachments/{attachment.id}/order.pdf").status_code == 404
    assert (
        c.post(f"/discussions/t/{private_thread.id}/reply", data={"body": "x"}).status_code == 404
    )
    assert "Nothing found" in c.get("/search?q=Lyon").text
    assert "Lyon" not in c.get("/discussions/").text
    assert "Lyon" not in c.get("/discussions/c/general").text
    # The mention of Carol resolved to nothing: no notification, no mention markup.
    assert db.session.scalars(sa.select(Notification.user_id)).all() == [alice.id]
    assert "@carol@example.org" in reply.html and "Carol Cedar" not in reply.html
    assert c.get(f"/discussions/mentions?q=ali&thread={private_thread.id}").status_code == 404

    a = client_for(alice)
    download = a.get(f"/discussions/attachments/{attachment.id}/order.pdf")
    assert download.status_code == 200 and download.data == PDF
    download.close()
    assert "Freezing order" in a.get("/search?q=Lyon").text


def test_mention_suggestions_offer_only_readers(private_thread, alice, carol, client_for):
    found = client_for(alice).get(f"/discussions/mentions?q=b&thread={private_thread.id}")
    assert found.json == {"users": []}  # one letter is not enough
    found = client_for(alice).get(f"/discussions/mentions?q=bo&thread={private_thread.id}")
    assert [u["handle"] for u in found.json["users"]] == ["bob@example.org"]
    found = client_for(alice).get(f"/discussions/mentions?q=ca&thread={private_thread.id}")
    assert found.json == {"users": []}


def test_ended_space_locks_members_out_and_keeps_moderators_read_only(
    private_thread, space, alice, moderator, client_for
):
    space.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client_for(alice).get(f"/discussions/t/{private_thread.id}").status_code == 404
    m = client_for(moderator)
    page = m.get(f"/discussions/t/{private_thread.id}")
    assert page.status_code == 200 and "Confidential plan" in page.text
    assert (
        m.post(f"/discussions/t/{private_thread.id}/reply", data={"body": "x"}).status_code == 403
    )


def test_owner_adds_members_but_plain_members_cannot(space, alice, bob, carol, client_for):
    assert (
        client_for(bob)
        .post(f"/discussions/s/{space.id}/members", data={"email": carol.email, "role": "member"})
        .status_code
        == 403
    )
    answer = client_for(alice).post(
        f"/discussions/s/{space.id}/members", data={"email": carol.email, "role": "member"}
    )
    assert answer.status_code == 302
    assert db.session.scalar(
        sa.select(SpaceMember).where(
            SpaceMember.user_id == carol.id, SpaceMember.space_id == space.id
        )
    )


def test_only_staff_create_spaces(alice, client_for):
    assert client_for(alice).get("/discussions/spaces/new").status_code == 403


def test_thread_in_space_needs_membership(space, general, carol, client_for):
    answer = client_for(carol).get(f"/discussions/new?space={space.id}")
    assert answer.status_code == 404
    assert actions.can_write_in_space(carol, space) is False
