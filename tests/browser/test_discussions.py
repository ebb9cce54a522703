"""Discussions in a real browser, in a private space.

Covered: member A starts a thread in the space and mentions B through the @-suggestions;
B sees the unread count in the header, opens the notification, finds an unfinished reply
still there after a reload, replies with a quote and a PDF attachment; A sees the reply
(linked back to the quoted post) and downloads the file; C, outside the space, gets the
not-found page for the thread and for the attachment. Only the accounts and the space are
made outside the UI.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from forum.auth.models import Role
from forum.discussions.demo import ensure_categories
from forum.discussions.models import Attachment
from forum.discussions.spaces import do_add_space_member
from forum.discussions.spaces import do_create_space
from forum.extensions import db
from tests.browser.helpers import log_in_as
from tests.browser.helpers import person
from tests.factories import make_user

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% demo order\n%%EOF\n"


def test_private_thread_with_mention_quote_and_attachment(live_server, new_page, page_problems):
    with live_server.app.app_context():
        ensure_categories()
        moderator = make_user(email="mod@example.org", role=Role.MODERATOR, state_code=None)
        a = make_user(email="ana@example.org", display_name="Ana Alves", state_code="PT")
        b = make_user(email="ben@example.org", display_name="Ben Berger", state_code="AT")
        c = make_user(email="cleo@example.org", display_name="Cleo Costa", state_code="IT")
        space = do_create_space(moderator, "Joint case PT-AT")
        do_add_space_member(moderator, space, a.email, "owner")
        do_add_space_member(moderator, space, b.email)
        people = {"a": person(a), "b": person(b), "c": person(c)}
        space_id = space.id
        db.session.remove()

    # A starts a thread in the space and mentions B through the suggestions.
    page_a = new_page()
    log_in_as(page_a, people["a"])
    page_a.goto(f"/discussions/s/{space_id}")
    page_a.get_by_role("link", name="Start a thread in this space").click()
    page_a.get_by_label("Title").fill("Hearing of the witness in Graz")
    body = page_a.get_by_label("Message")
    body.press_sequentially("Can you confirm the date, @Be")
    page_a.get_by_role("button", name="Ben Berger (ben@example.org)").click()
    body.press_sequentially("? The room is booked.")
    expect(body).to_have_value("Can you confirm the date, @ben@example.org ? The room is booked.")
    page_a.get_by_role("button", name="Publish").click()
    expect(page_a.get_by_role("heading", name="Hearing of the witness in Graz")).to_be_visible()
    expect(page_a.locator(".mention")).to_have_text("@Ben Berger")
    thread_url = page_a.url.split("#")[0]

    # B sees the notification and opens it.
    page_b = new_page()
    log_in_as(page_b, people["b"])
    expect(page_b.locator("[data-notification-count]")).to_have_text("1")
    page_b.get_by_test_id("notifications-link").click()
    page_b.get_by_role("link", name=re.compile("Ana Alves mentioned you")).click()
    expect(page_b.get_by_role("heading", name="Hearing of the witness in Graz")).to_be_visible()

    # An unfinished reply survives a reload.
    page_b.get_by_label("Your reply").fill("Unfinished thought")
    page_b.reload()
    expect(page_b.get_by_label("Your reply")).to_have_value("Unfinished thought")

    # B replies with a quote and an attachment.
    page_b.locator("#post-1").get_by_role("link", name="Quote").click()
    reply = page_b.get_by_label("Your reply")
    expect(reply).to_have_value(re.compile(r"^> Can you confirm the date"))
    reply.press("End")
    reply.press_sequentially("Confirmed for the 12th. Draft order attached.")
    page_b.get_by_label("Attachments").set_input_files(
        files=[{"name": "order.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page_b.get_by_role("button", name="Send reply").click()
    expect(page_b.locator("#post-2")).to_contain_text("Confirmed for the 12th.")

    # A sees the reply, linked to the quoted post, and downloads the file.
    page_a.goto(thread_url)
    post = page_a.locator("#post-2")
    expect(post).to_contain_text("Confirmed for the 12th.")
    expect(post.get_by_role("link", name="In reply to #1")).to_be_visible()
    with page_a.expect_download() as download_info:
        post.get_by_role("link", name="order.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "order.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF

    with live_server.app.app_context():
        attachment_id = db.session.scalar(sa.select(Attachment.id))
        db.session.remove()

    # C, outside the space, cannot see the thread nor fetch the file.
    page_c = new_page()
    log_in_as(page_c, people["c"])
    with page_problems.allow(r"status of 404"):
        answer = page_c.goto(thread_url)
        assert answer.status == 404
        expect(page_c.get_by_role("heading", name="Not found")).to_be_visible()
        answer = page_c.goto(f"/discussions/attachments/{attachment_id}/order.pdf")
        assert answer.status == 404
    page_c.goto("/search?q=Graz")
    expect(page_c.get_by_text("Nothing found.")).to_be_visible()
