"""Search: ranked hits with escaped, highlighted snippets; filters; the index follows edits,
deletions and hiding; hidden and private content never appears."""

from __future__ import annotations

import sqlalchemy as sa

from forum.discussions import actions
from forum.discussions import moderation
from forum.discussions import search
from forum.discussions.models import Category
from forum.discussions.models import Post
from forum.extensions import db


def test_hits_are_ranked_and_snippets_escaped(general, alice, bob, client_for):
    actions.do_create_thread(alice, general, "Extradition to Brazil", "A <script> of extradition")
    actions.do_create_thread(bob, general, "Other topic", "mentions extradition once")
    hits = search.search(bob, "extradition")
    assert [h.thread_title for h in hits][0] == "Extradition to Brazil"
    page = client_for(bob).get("/search?q=extradition")
    assert "<mark>" in page.text and "<script>" not in page.text
    actions.do_create_thread(alice, general, "Unrelated", "A <script>alert(1)</script> sabotage")
    page = client_for(bob).get("/search?q=sabotage")
    assert "<mark>sabotage</mark>" in page.text and "<script>" not in page.text


def test_filters(general, alice, bob):
    other = Category(slug="mla", name="MLA")
    db.session.add(other)
    db.session.commit()
    actions.do_create_thread(alice, general, "Asset freezing", "freezing in general")
    actions.do_create_thread(bob, other, "Asset freezing MLA", "freezing via MLA")
    assert len(search.search(bob, "freezing")) == 2
    only = search.search(bob, "freezing", search.Filters(category_id=other.id))
    assert [h.thread_title for h in only] == ["Asset freezing MLA"]
    by_alice = search.search(bob, "freezing", search.Filters(author_id=alice.id))
    assert [h.thread_title for h in by_alice] == ["Asset freezing"]


def test_index_follows_edits_deletes_and_hiding(general, alice, moderator):
    actions.do_create_thread(alice, general, "Title here", "original wording")
    post = db.session.scalar(sa.select(Post))
    actions.do_edit_post(alice, post, "revised phrasing")
    assert search.search(alice, "original") == []
    assert len(search.search(alice, "revised")) == 1
    moderation.do_hide_post(moderator, post, "reason")
    assert search.search(alice, "revised") == []
    moderation.do_unhide_post(moderator, post, "ok")
    actions.do_delete_post(alice, post)
    assert search.search(alice, "revised") == []


def test_query_syntax_is_inert(general, alice):
    actions.do_create_thread(alice, general, "Title here", "plain words")
    for query in ['"', "NEAR(", "a OR", "*", "plain) OR (x", "'; DROP TABLE posts; --"]:
        search.search(alice, query)
    assert len(search.search(alice, 'plain"*')) == 1
