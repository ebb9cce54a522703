"""Notifications and digests go to the right people only: mentions, quotes, watchers, mutes,
space members; e-mail immediately, by daily digest or never; the header's unread count."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.db_types import utcnow
from forum.discussions import actions
from forum.discussions import notifications
from forum.discussions.models import Notification
from forum.discussions.models import Post
from forum.extensions import db
from tests.auth.helpers import mail_text


def _notified(kind=None) -> set[int]:
    query = sa.select(Notification.user_id)
    if kind:
        query = query.where(Notification.kind == kind)
    return set(db.session.scalars(query))


def test_mention_quote_and_watchers(general, alice, bob, carol, moderator, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "Hello @bob@example.org")
    assert _notified("mention") == {bob.id}
    first = db.session.scalar(sa.select(Post))
    actions.do_reply(carol, thread, "> Hello\n\nquoting", quote_of=first)
    # Alice: author watches and is quoted; Bob: mentioned, so watching.
    assert {
        n.user_id: n.kind
        for n in db.session.scalars(sa.select(Notification).where(Notification.post_id != first.id))
    } == {alice.id: "quote", bob.id: "reply"}
    assert moderator.id not in _notified()


def test_mute_silences_replies(general, alice, bob, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "Hello @bob@example.org")
    actions.do_set_subscription(bob, level="mute", thread=thread)
    db.session.execute(sa.delete(Notification))
    db.session.commit()
    actions.do_reply(alice, thread, "anyone?")
    assert _notified() == set()


def test_category_watchers_hear_of_new_threads(general, alice, bob):
    actions.do_set_subscription(bob, level="watch", category=general)
    actions.do_create_thread(alice, general, "Title here", "start")
    assert _notified("new_thread") == {bob.id}


def test_space_threads_notify_members_only(space, general, alice, bob, carol, moderator):
    from forum.discussions.models import Subscription

    for user in (carol, bob):
        db.session.add(Subscription(user_id=user.id, category_id=general.id, level="watch"))
    db.session.commit()
    actions.do_create_thread(alice, general, "Secret", "text", space=space)
    assert _notified() == {bob.id}


def test_unread_count_in_header(general, alice, bob, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "Hi @bob@example.org")
    b = client_for(bob)
    assert "data-notification-count>1<" in b.get("/discussions/").text.replace(" ", "")
    b.get(f"/discussions/t/{thread.id}")
    assert notifications.unread_count(bob) == 0


def test_immediate_email_and_digest_go_to_the_right_people(
    general, space, alice, bob, carol, outbox, client_for
):
    notifications.set_email_mode(bob, "immediately")
    notifications.set_email_mode(carol, "off")
    outbox.clear()
    thread = actions.do_create_thread(alice, general, "Public title", "Hi @bob@example.org")
    assert [m["To"] for m in outbox] == ["bob@example.org"]
    assert "Public title" in mail_text(outbox[0])
    actions.do_reply(carol, thread, "Hi @alice@example.org and @bob@example.org")
    assert [m["To"] for m in outbox] == ["bob@example.org", "bob@example.org"]
    # Alice is on the default daily digest; Carol (off) gets nothing.
    outbox.clear()
    secret = actions.do_create_thread(
        bob, general, "Secret title", "@alice@example.org", space=space
    )
    assert notifications.send_digests() == 1
    assert [m["To"] for m in outbox] == ["alice@example.org"]
    text = mail_text(outbox[0])
    assert "Public title" in text and "Secret title" not in text and "a thread in a space" in text
    # Nothing twice, and not again within the digest interval.
    outbox.clear()
    actions.do_reply(bob, secret, "more")
    assert notifications.send_digests() == 0
    assert notifications.send_digests(now=utcnow() + timedelta(days=1)) == 1


def test_digest_skips_threads_no_longer_readable(general, space, alice, bob, outbox):
    actions.do_create_thread(bob, general, "Secret", "@alice@example.org", space=space)
    space.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    outbox.clear()
    assert notifications.send_digests() == 0
    assert outbox == []


def test_send_digests_command(app, general, alice, bob, outbox):
    actions.do_create_thread(alice, general, "Title here", "Hi @bob@example.org")
    result = app.test_cli_runner().invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0 and "Digests sent: 1" in result.output
