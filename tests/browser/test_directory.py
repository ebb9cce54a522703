"""A focal point keeps their State's entry current; the world sees the change.

Covered, in a real browser: the focal point logs in (password + code), edits an entry of
their public State, sees the field-level diff in the history; an anonymous browser then
sees the new data on the public State page, and gets the not-found page for a restricted
State. Only the accounts and the starting entry are made outside the UI.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from forum.auth.models import Role
from forum.directory.models import Entry
from forum.directory.models import State
from forum.extensions import db
from tests.browser.helpers import log_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

OLD_EMAIL = "entraide@justice.example.org"
NEW_EMAIL = "bureau.entraide@justice.example.org"


def test_focal_point_update_shows_in_history_and_to_anonymous(live_server, new_page, page_problems):
    with live_server.app.app_context():
        db.session.get(State, "FR").visibility = "public"
        entry = Entry(
            state_code="FR",
            name="Ministry of Justice — Mutual Assistance Office",
            designations=["untoc_mla"],
            languages=["fr", "en"],
            channels=["direct"],
            emails=OLD_EMAIL,
        )
        entry.refresh_search_text()
        db.session.add(entry)
        db.session.get(State, "TH").visibility = "members"
        db.session.commit()
        focal = make_user(email="fp@justice.example.org", role=Role.FOCAL_POINT, state_code="FR")
        email, password, secret = focal.email, focal.test_password, focal.test_totp_secret
        db.session.remove()

    page = new_page()
    log_in(page, email, password, pyotp.TOTP(secret).now())
    page.get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="France", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^France"))).to_be_visible()
    page.get_by_role("link", name="Edit entry").click()
    page.get_by_label("E-mails (one per line)").fill(NEW_EMAIL)
    page.get_by_label("UNTOC art. 16 — extradition").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Entry updated.")).to_be_visible()
    expect(page.get_by_role("link", name=NEW_EMAIL)).to_be_visible()

    page.get_by_role("link", name="History").first.click()
    diff = page.locator(".dir-diff").first
    expect(diff.locator("tr", has_text="E-mails")).to_contain_text(OLD_EMAIL)
    expect(diff.locator("tr", has_text="E-mails")).to_contain_text(NEW_EMAIL)
    expect(diff.locator("tr", has_text="Designations")).to_contain_text("untoc_extradition")

    visitor = new_page()
    visitor.goto("/directory/FR")
    expect(visitor.get_by_role("link", name=NEW_EMAIL)).to_be_visible()
    expect(visitor.get_by_text(OLD_EMAIL, exact=True)).to_have_count(0)
    with page_problems.allow(r"status of 404"):
        visitor.goto("/directory/TH")
    expect(visitor.get_by_role("heading", name=re.compile("Not found"))).to_be_visible()
