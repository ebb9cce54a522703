"""The thread page reuses each post's rendered HTML across readers and requests
(forum/discussions/fragments.py): what one reader may do or see must never reach another,
and an edit, a deletion or a moderator's hiding shows at once."""

from __future__ import annotations

import re

import sqlalchemy as sa

from forum.discussions import actions
from forum.discussions import fragments
from forum.discussions.models import Post
from forum.discussions.moderation import do_hide_post
from forum.extensions import db
from tests.discussions.helpers import PDF
from tests.discussions.helpers import upload


def _post(thread, number: int) -> Post:
    return db.session.scalar(
        sa.select(Post).where(Post.thread_id == thread.id, Post.number == number)
    )


def _article(page: str, number: int) -> str:
    match = re.search(rf'<article [^>]*id="post-{number}">.*?</article>', page, re.S)
    assert match, f"post {number} not on the page"
    return match.group(0)


def test_each_reader_gets_their_own_buttons_from_shared_fragments(
    general, alice, bob, moderator, client_for
):
    thread = actions.do_create_thread(alice, general, "Title here", "Alice writes")
    post = _post(thread, 1)
    a, b, m = client_for(alice), client_for(bob), client_for(moderator)
    for _ in range(2):  # the second round is served from the cache
        mine = _article(a.get(f"/discussions/t/{thread.id}").text, 1)
        assert f"/discussions/p/{post.id}/edit" in mine and "/delete" in mine
        assert "/flag" not in mine and "/moderate" not in mine
        theirs = _article(b.get(f"/discussions/t/{thread.id}").text, 1)
        assert "/edit" not in theirs and "/delete" not in theirs and "/moderate" not in theirs
        assert f"/discussions/p/{post.id}/flag" in theirs
        staff = _article(m.get(f"/discussions/t/{thread.id}").text, 1)
        assert "/moderate" in staff and "/edit" not in staff
    assert fragments.cache_info().hits > 0


def test_forms_in_cached_posts_carry_the_readers_own_csrf_token(general, alice, bob, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "Alice writes")
    seen = {}
    for user in (alice, bob, alice, bob):
        page = client_for(user).get(f"/discussions/t/{thread.id}").text
        assert "csrf-slot-" not in page
        in_post = re.findall(r'name="csrf_token" value="([^"]+)"', _article(page, 1))
        on_page = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert in_post and set(on_page) == set(in_post)  # one token per page: the reader's
        seen.setdefault(user.id, set()).update(in_post)
    assert not seen[alice.id] & seen[bob.id]


def test_edit_delete_and_hiding_show_at_once(general, alice, bob, moderator, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "First words")
    actions.do_reply(alice, thread, "Second words")
    b = client_for(bob)
    page = b.get(f"/discussions/t/{thread.id}").text
    assert "First words" in page and "Second words" in page
    actions.do_edit_post(alice, _post(thread, 1), "Better words")
    page = b.get(f"/discussions/t/{thread.id}").text
    assert "Better words" in page and "First words" not in page and "edited 1×" in page
    do_hide_post(moderator, _post(thread, 1), "Off topic")
    actions.do_delete_post(alice, _post(thread, 2))
    page = b.get(f"/discussions/t/{thread.id}").text
    assert "Better words" not in page and "Second words" not in page
    assert "hidden by a moderator" in page and "deleted by its author" in page
    assert "Off topic" not in page
    staff = client_for(moderator).get(f"/discussions/t/{thread.id}").text
    assert "Better words" in staff and "Second words" in staff and "Off topic" in staff


def test_a_renamed_author_shows_at_once(general, alice, bob, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "Hello")
    b = client_for(bob)
    assert "Alice Alder" in _article(b.get(f"/discussions/t/{thread.id}").text, 1)
    alice.display_name = "Alice Ashdown"
    db.session.commit()
    assert "Alice Ashdown" in _article(b.get(f"/discussions/t/{thread.id}").text, 1)


def test_unread_marks_are_the_readers_own(general, alice, bob, carol, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "one")
    b, c = client_for(bob), client_for(carol)
    assert "is-unread" in _article(b.get(f"/discussions/t/{thread.id}").text, 1)
    actions.do_reply(alice, thread, "two")
    page = b.get(f"/discussions/t/{thread.id}").text
    assert "is-unread" not in _article(page, 1) and "is-unread" in _article(page, 2)
    page = c.get(f"/discussions/t/{thread.id}").text
    assert "is-unread" in _article(page, 1) and "is-unread" in _article(page, 2)


def test_attachments_and_quotes_are_listed_once_per_post(general, alice, bob, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "one")
    first = _post(thread, 1)
    actions.do_reply(
        bob,
        thread,
        "two files",
        files=[upload("a.pdf", PDF), upload("b.pdf", PDF)],
        quote_of=first,
    )
    actions.do_reply(alice, thread, "three")
    page = client_for(alice).get(f"/discussions/t/{thread.id}").text
    second = _article(page, 2)
    assert second.count("a.pdf</a>") == 1 and second.count("b.pdf</a>") == 1
    assert "In reply to #1" in second
    assert page.count('id="post-2"') == 1 and "three" in _article(page, 3)
    assert "pdf" not in _article(page, 3)


def test_private_thread_stays_hidden_from_outsiders(private_thread, carol, bob, client_for):
    assert client_for(carol).get(f"/discussions/t/{private_thread.id}").status_code == 404
    assert client_for(carol).post(f"/discussions/t/{private_thread.id}/reply").status_code == 404
    assert "Confidential plan" in client_for(bob).get(f"/discussions/t/{private_thread.id}").text


def _row(page: str, title: str) -> str:
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(title)}.*?</tr>", page, re.S)
    assert match, f"{title} not listed"
    return match.group(0)


def test_list_rows_follow_replies_and_each_readers_marks(general, alice, bob, carol, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "one")
    b, c = client_for(bob), client_for(carol)
    row = _row(b.get("/discussions/c/general").text, "Title here")
    assert "is-unread" in row and ">new<" in row
    b.get(f"/discussions/t/{thread.id}")
    row = _row(b.get("/discussions/c/general").text, "Title here")
    assert "is-unread" not in row and "new<" not in row and "<td>0</td>" in row
    actions.do_reply(alice, thread, "two")
    row = _row(b.get("/discussions/c/general").text, "Title here")
    assert "is-unread" in row and "1 new" in row and "<td>1</td>" in row
    row = _row(c.get("/discussions/c/general").text, "Title here")
    assert ">new<" in row and "1 new" not in row


def test_tokens_in_reused_forms_pass_the_csrf_check(general, alice, bob, client_for, app):
    thread = actions.do_create_thread(alice, general, "Title here", "Hello")
    b = client_for(bob)
    app.config["WTF_CSRF_ENABLED"] = True
    page = b.get(f"/discussions/t/{thread.id}").text
    assert b.post(f"/discussions/t/{thread.id}/reply", data={"body": "No token"}).status_code == 400
    reply = re.search(r'id="reply".*?name="csrf_token" type="hidden" value="([^"]+)"', page, re.S)
    answer = b.post(
        f"/discussions/t/{thread.id}/reply", data={"csrf_token": reply.group(1), "body": "Hi"}
    )
    assert answer.status_code == 302
    page = b.get(f"/discussions/t/{thread.id}").text
    setting = re.search(r'subscription-form">\s*<input [^>]*value="([^"]+)"', page)
    answer = b.post(
        f"/discussions/t/{thread.id}/subscription",
        data={"csrf_token": setting.group(1), "level": "mute"},
    )
    assert answer.status_code == 302
    mine = _article(b.get(f"/discussions/t/{thread.id}").text, 2)
    token = re.search(r'name="csrf_token" value="([^"]+)"', mine).group(1)
    post = _post(thread, 2)
    answer = b.post(f"/discussions/p/{post.id}/delete", data={"csrf_token": token})
    assert answer.status_code == 302
