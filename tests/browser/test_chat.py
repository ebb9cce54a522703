"""Chat in a real browser: two members in two browser contexts, over Socket.IO.

Covered: A finds B on the chat page and starts a direct conversation; B, on the same
conversation, sees A typing, then A's message live within 2 seconds; B's page reads it and
A sees the read receipt; B's browser goes offline (the socket drops), A writes, B comes back
online and the client catches up with exactly the missed message; a message A sends while
offline stays pending and survives a reload (the browser's outbox resends it, stored once).
Only the accounts are made outside the UI.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from forum.chat.models import Message
from forum.extensions import db
from tests.browser.helpers import log_in_as
from tests.browser.helpers import person
from tests.factories import make_user

pytestmark = pytest.mark.browser

LIVE_MS = 2_000


def _messages(page):
    return page.get_by_test_id("messages").locator(".chat-message")


def test_two_members_chat_live_with_typing_receipts_and_catch_up(
    live_server, new_page, page_problems
):
    with live_server.app.app_context():
        a = make_user(email="ana@example.org", display_name="Ana Alves", state_code="PT")
        b = make_user(email="ben@example.org", display_name="Ben Berger", state_code="AT")
        people = {"a": person(a), "b": person(b)}
        db.session.remove()

    # A finds B by name on the chat page and starts the conversation.
    page_a = new_page()
    log_in_as(page_a, people["a"])
    page_a.goto("/chat/")
    page_a.get_by_label("Find members by name, State or authority").fill("Ben")
    page_a.get_by_role("button", name="Find").click()
    page_a.get_by_role("button", name="Message").click()
    expect(page_a).to_have_url(re.compile(r"/chat/\d+$"))
    conversation_url = page_a.url
    expect(page_a.locator("[data-presence-for]").first).to_be_attached()

    page_b = new_page()
    log_in_as(page_b, people["b"])
    page_b.goto(conversation_url)
    expect(page_b.get_by_role("heading", name="Ana Alves")).to_be_visible()
    # Both sockets are up: each sees the other online.
    expect(page_a.locator(f'[data-presence-label-for="{_id(page_b)}"]')).to_have_text("online")

    # A types: B sees the indicator first, then the message, live.
    composer = page_a.get_by_label("Message")
    composer.press_sequentially("Is the suspect released on Friday")
    expect(page_b.get_by_test_id("typing")).to_have_text("Ana Alves is typing…", timeout=LIVE_MS)
    composer.press("Enter")
    expect(_messages(page_b).last).to_contain_text(
        "Is the suspect released on Friday", timeout=LIVE_MS
    )
    expect(page_b.get_by_test_id("typing")).to_have_text("")

    # B's open page has read it: A sees the receipt.
    expect(page_a.get_by_test_id("receipts")).to_have_text("Seen by Ben Berger", timeout=LIVE_MS)

    # B goes offline; A writes; B comes back and catches up.
    page_b.context.set_offline(True)
    expect(page_b.locator("#chat-connection")).to_have_text(
        "Connection lost — reconnecting…", timeout=10_000
    )
    composer.fill("Yes, at 10:00. Can you send the warrant today?")
    composer.press("Enter")
    expect(_messages(page_a).last).not_to_have_class(re.compile("pending"))
    page_b.context.set_offline(False)
    expect(_messages(page_b).last).to_contain_text("send the warrant today", timeout=10_000)
    expect(_messages(page_b)).to_have_count(2)
    expect(page_b.locator("#chat-connection")).to_have_text("")

    # A message written while offline stays pending, survives a reload, is stored once.
    page_a.context.set_offline(True)
    expect(page_a.locator("#chat-connection")).to_have_text(
        "Connection lost — reconnecting…", timeout=10_000
    )
    composer.fill("Warrant sent by secure e-mail")
    composer.press("Enter")
    expect(page_a.locator(".chat-message.pending")).to_contain_text("Warrant sent")
    page_a.context.set_offline(False)
    with page_problems.allow("ERR_INTERNET_DISCONNECTED|WebSocket"):
        page_a.reload()
    expect(_messages(page_b).last).to_contain_text("Warrant sent", timeout=10_000)
    expect(page_a.locator(".chat-message.pending")).to_have_count(0, timeout=10_000)
    expect(_messages(page_a)).to_have_count(3)
    with live_server.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).where(Message.body == "Warrant sent by secure e-mail")
        )
        db.session.remove()
    assert count == 1


def _id(page) -> str:
    return page.locator("#chat-app").get_attribute("data-me")
