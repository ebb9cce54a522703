"""The memoised site header: each reader's own, current at once, with their own token."""

from __future__ import annotations

import re

from forum.auth.models import Role
from forum.discussions import actions
from forum.discussions.models import Category
from forum.extensions import db
from tests.auth.helpers import logged_in_client
from tests.factories import make_user

_LOGOUT_TOKEN = re.compile(r'action="/auth/logout"[^>]*>\s*<input [^>]*value="([^"]+)"')


def _header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_each_reader_sees_their_own_header_and_token(app):
    alice = make_user(email="alice@example.org", display_name="Alice Aubert")
    bob = make_user(email="bob@example.org", display_name="Bob Brun")
    a, b = logged_in_client(app, alice), logged_in_client(app, bob)
    for _ in range(2):  # the second time from the memo
        mine, theirs = _header(a.get("/").text), _header(b.get("/").text)
        assert "Alice Aubert" in mine and "Bob Brun" not in mine
        assert "Bob Brun" in theirs and "Alice Aubert" not in theirs
        assert "csrf-slot-" not in mine + theirs
    app.config["WTF_CSRF_ENABLED"] = True
    token = _LOGOUT_TOKEN.search(_header(a.get("/").text)).group(1)
    assert b.post("/auth/logout", data={"csrf_token": token}).status_code == 400
    assert a.post("/auth/logout", data={"csrf_token": token}).status_code == 302


def test_the_header_follows_changes_at_once(app):
    member = make_user(email="member@example.org", display_name="Marie Membre")
    browser = logged_in_client(app, member)
    before = _header(browser.get("/").text)
    assert "Moderation" not in before and "data-notification-count hidden>0<" in before

    general = Category(slug="general", name="General")
    db.session.add(general)
    db.session.commit()
    writer = make_user(email="writer@example.org", display_name="Walter Writer")
    actions.do_create_thread(writer, general, "A question", "@member@example.org could you look?")
    assert "data-notification-count>1<" in _header(browser.get("/").text)

    member.display_name = "Marie Renamed"
    member.role = Role.MODERATOR.value
    db.session.commit()

    after = _header(browser.get("/").text)
    assert "Marie Renamed" in after and "Marie Membre" not in after
    assert "Moderation" in after
