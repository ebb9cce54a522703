"""Logging out clears what the browser kept for the user: chat outbox and reply drafts."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from forum.extensions import db
from tests.browser.helpers import log_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_logout_clears_liaison_storage_only(live_server, page):
    with live_server.app.app_context():
        user = make_user(email="shared.pc@example.org")
        email, password, secret = user.email, user.test_password, user.test_totp_secret
        db.session.remove()
    log_in(page, email, password, pyotp.TOTP(secret).now())
    page.evaluate(
        """() => {
        localStorage.setItem("liaison-chat-outbox-1", "[{\\"text\\": \\"unsent\\"}]");
        sessionStorage.setItem("liaison-draft:/discussions/t/1:body", "half a reply");
        localStorage.setItem("other-site-setting", "kept");
    }"""
    )
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/auth/login"))
    kept = page.evaluate(
        "() => [Object.keys(localStorage).sort(), Object.keys(sessionStorage).sort()]"
    )
    assert kept == [["other-site-setting"], []]
