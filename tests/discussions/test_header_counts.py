"""The header's notification badge (forum/header_counts.py: one statement built once, the
member and the instant bound per request) counts what the member may read now: a notification
from a space stops counting when the space ends, for the next request."""

from __future__ import annotations

import re
from datetime import timedelta

from forum.db_types import utcnow
from forum.discussions import actions
from forum.extensions import db


def _badge(client) -> int:
    page = client.get("/").get_data(as_text=True)
    return int(re.search(r"data-notification-count[^>]*>(\d+)<", page)[1])


def test_badge_counts_readable_notifications_and_forgets_ended_spaces(
    general, space, alice, bob, client_for
):
    actions.do_create_thread(bob, general, "Open title", "Hello @alice@example.org")
    actions.do_create_thread(bob, general, "Space title", "Hi @alice@example.org", space=space)
    as_alice, as_bob = client_for(alice), client_for(bob)
    assert _badge(as_alice) == 2
    assert _badge(as_bob) == 0  # the statement is shared, the member is not
    space.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _badge(as_alice) == 1
    space.ends_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert _badge(as_alice) == 2
