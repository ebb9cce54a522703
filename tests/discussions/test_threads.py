"""Threads and replies: create, read, quote, edit history, soft delete, drafts kept on errors,
read marks and "jump to first unread", and a thread page whose query count does not grow."""

from __future__ import annotations

import sqlalchemy as sa

from forum.discussions import actions
from forum.discussions.models import Post
from forum.discussions.models import PostRevision
from forum.discussions.models import Thread
from forum.extensions import db
from tests.auth.helpers import audit_actions
from tests.statements import recorded_statements


def test_member_starts_a_thread_and_another_replies_with_a_quote(general, alice, bob, client_for):
    a = client_for(alice)
    answer = a.post(
        "/discussions/new",
        data={
            "category": str(general.id),
            "title": "Service of documents",
            "body": "Who **knows**?",
        },
    )
    assert answer.status_code == 302
    thread = db.session.scalar(sa.select(Thread))
    first = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id))
    assert first.html == "<p>Who <strong>knows</strong>?</p>\n"

    b = client_for(bob)
    page = b.get(f"/discussions/t/{thread.id}?quote={first.id}")
    assert "&gt; Who **knows**?" in page.text
    answer = b.post(
        f"/discussions/t/{thread.id}/reply",
        data={"body": "> Who **knows**?\n\nI do.", "quote_of": str(first.id)},
    )
    assert answer.status_code == 302
    reply = db.session.scalar(sa.select(Post).where(Post.number == 2))
    assert reply.quote_of_id == first.id
    page = a.get(f"/discussions/t/{thread.id}")
    assert "In reply to #1" in page.text and "I do." in page.text
    assert "discussions.post_created" in audit_actions()


def test_a_refused_reply_comes_back_with_the_text(general, alice, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "Body")
    draft = "My long answer " * 10
    answer = client_for(alice).post(
        f"/discussions/t/{thread.id}/reply", data={"body": draft + "x" * 50_001}
    )
    assert answer.status_code == 400
    assert draft.strip() in answer.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1


def test_an_empty_title_is_refused_with_the_body_kept(general, alice, client_for):
    answer = client_for(alice).post(
        "/discussions/new", data={"category": str(general.id), "title": "", "body": "Kept text"}
    )
    assert answer.status_code == 400
    assert "Kept text" in answer.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0


def test_edit_history_records_who_when_and_the_difference(general, alice, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "first version")
    post = db.session.scalar(sa.select(Post))
    client = client_for(alice)
    answer = client.post(f"/discussions/p/{post.id}/edit", data={"body": "second version"})
    assert answer.status_code == 302
    revision = db.session.scalar(sa.select(PostRevision))
    assert (revision.body_before, revision.body_after) == ("first version", "second version")
    assert revision.editor_id == alice.id
    history = client.get(f"/discussions/p/{post.id}/history")
    assert "-first version" in history.text and "+second version" in history.text
    assert "edited 1×" in client.get(f"/discussions/t/{thread.id}").text


def test_others_cannot_edit_or_delete(general, alice, bob, client_for):
    actions.do_create_thread(alice, general, "Title here", "mine")
    post = db.session.scalar(sa.select(Post))
    b = client_for(bob)
    assert b.post(f"/discussions/p/{post.id}/edit", data={"body": "hijack"}).status_code == 403
    assert b.post(f"/discussions/p/{post.id}/delete").status_code == 403
    db.session.refresh(post)
    assert post.body == "mine" and post.deleted_at is None


def test_soft_delete_hides_text_from_members_but_not_moderators(
    general, alice, bob, moderator, client_for
):
    thread = actions.do_create_thread(alice, general, "Title here", "Regrettable words")
    post = db.session.scalar(sa.select(Post))
    assert client_for(alice).post(f"/discussions/p/{post.id}/delete").status_code == 302
    assert "Regrettable words" not in client_for(bob).get(f"/discussions/t/{thread.id}").text
    assert "Regrettable words" in client_for(moderator).get(f"/discussions/t/{thread.id}").text


def test_jump_to_first_unread(general, alice, bob, client_for, app):
    app.config["DISCUSSIONS_PAGE_SIZE"] = 3
    thread = actions.do_create_thread(alice, general, "Title here", "one")
    b = client_for(bob)
    b.get(f"/discussions/t/{thread.id}")
    for n in range(5):
        actions.do_reply(alice, thread, f"reply {n}")
    answer = b.get(f"/discussions/t/{thread.id}/unread")
    assert answer.headers["Location"].endswith(f"/discussions/t/{thread.id}?page=1#post-2")
    new = b.get("/discussions/new-since")
    assert "Title here" in new.text


def _count_queries(client, url) -> int:
    with recorded_statements() as statements:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(statements)


def test_thread_page_query_count_is_constant(general, alice, bob, client_for, app):
    app.config["DISCUSSIONS_PAGE_SIZE"] = 50
    thread = actions.do_create_thread(alice, general, "Title here", "start")
    client = client_for(bob)
    client.get(f"/discussions/t/{thread.id}")  # first visit writes read marks
    for n in range(3):
        actions.do_reply(alice, thread, f"reply {n}", quote_of=None)
    client.get(f"/discussions/t/{thread.id}")
    small = _count_queries(client, f"/discussions/t/{thread.id}")
    for n in range(40):
        actions.do_reply(bob if n % 2 else alice, thread, f"more {n} @alice@example.org")
    client.get(f"/discussions/t/{thread.id}")
    large = _count_queries(client, f"/discussions/t/{thread.id}")
    assert small == large, (small, large)
