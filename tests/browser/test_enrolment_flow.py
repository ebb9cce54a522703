"""A new member's first day, in a real browser, through the UI only.

Covered: invitation link → name and password → TOTP enrolment from the secret on the page →
ten recovery codes → home; logout and login with password and code; a replayed code is
refused with the generic message; the next code works; a second device logs in with a
recovery code; the first device ends the second's session from /account/security, and the
second device is sent back to the login page. Only the invitation is made outside the UI.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from forum.auth import totp
from forum.auth.invitations import do_invite
from forum.extensions import db

pytestmark = pytest.mark.browser

EMAIL = "ana.lima@example.org"
NAME = "Ana Lima"
PASSWORD = "quartz lantern harbour seventy violet"
GENERIC_LOGIN_ERROR = "The email, password or authentication code is not correct."
# Seconds a step must still have ahead of it for us to send its code: the request then
# reaches the server well inside the window it was computed for.
SAFETY_MARGIN = 5


class Phone:
    """The member's authenticator app: a fresh code each time, never a step already used.

    The server accepts the previous, current and next 30-second step, and each step once.
    """

    def __init__(self, secret: str):
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    def next_code(self) -> str:
        while True:
            now = time.time()
            current = int(now // totp.STEP_SECONDS)
            into_window = now - current * totp.STEP_SECONDS
            # The previous step stays valid until the current window ends; skip it near the end.
            earliest = current - totp.ALLOWED_DRIFT_STEPS
            if into_window > totp.STEP_SECONDS - SAFETY_MARGIN:
                earliest += 1
            step = earliest if self.last_step is None else max(earliest, self.last_step + 1)
            if step <= current + totp.ALLOWED_DRIFT_STEPS:
                self.last_step = step
                return self.totp.at(step * totp.STEP_SECONDS)
            time.sleep((current + 1) * totp.STEP_SECONDS - now + 0.1)


def invite(live_server) -> str:
    """The one step outside the UI: a moderator's invitation, as its e-mail link."""
    with live_server.app.app_context():
        _, link = do_invite(
            None, EMAIL, role="member", state_code="FR", authority_name="Ministère de la Justice"
        )
        db.session.remove()
    assert link.startswith(live_server.url + "/auth/invitation/")
    return link


def expect_home(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name=f"Welcome, {NAME}")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def enter_password(page: Page) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/auth/login/code$"))


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Log in").click()


def test_invited_member_enrols_logs_in_and_ends_another_session(
    live_server, new_page, page_problems
):
    laptop = new_page()

    # Invitation: choose a name and a password.
    laptop.goto(invite(live_server))
    expect(laptop.get_by_role("heading", name="Join Liaison")).to_be_visible()
    laptop.get_by_label("Your name").fill(NAME)
    laptop.get_by_label("Password", exact=True).fill(PASSWORD)
    laptop.get_by_label("Repeat the password").fill(PASSWORD)
    laptop.get_by_role("button", name="Continue").click()

    # Enrolment: the secret shown on the page drives the phone.
    expect(laptop).to_have_url(re.compile(r"/auth/enrol$"))
    secret = laptop.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    phone = Phone(secret)
    laptop.get_by_label("Authentication code").fill(phone.next_code())
    laptop.get_by_role("button", name="Confirm and turn on two-factor authentication").click()

    codes = laptop.locator("[data-testid=recovery-codes] li")
    expect(codes).to_have_count(totp.RECOVERY_CODE_COUNT)
    recovery_codes = [text.strip() for text in codes.all_inner_texts()]
    assert len(set(recovery_codes)) == totp.RECOVERY_CODE_COUNT
    laptop.get_by_role("link", name="I have saved my recovery codes").click()
    expect_home(laptop)

    # Log out, log in again with password and a new code.
    log_out(laptop)
    enter_password(laptop)
    used_code = phone.next_code()
    enter_code(laptop, used_code)
    expect_home(laptop)
    log_out(laptop)

    # The same code a second time is a replay: refused with the generic message.
    enter_password(laptop)
    with page_problems.allow(r"status of 400"):
        enter_code(laptop, used_code)
        expect(laptop.get_by_text(GENERIC_LOGIN_ERROR)).to_be_visible()
    expect(laptop).to_have_url(re.compile(r"/auth/login/code$"))
    enter_code(laptop, phone.next_code())
    expect_home(laptop)

    # A second device logs in with a recovery code: each is valid once as the code.
    desk = new_page()
    enter_password(desk)
    enter_code(desk, recovery_codes[0])
    expect_home(desk)

    # The laptop ends the desk's session from the security page.
    laptop.goto("/account/security")
    rows = laptop.get_by_test_id("sessions").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This session")).to_have_count(1)
    other = rows.filter(has=laptop.get_by_role("button", name="End"))
    expect(other).to_have_count(1)
    other.get_by_role("button", name="End").click()
    expect(laptop.get_by_text("The session has been ended.")).to_be_visible()
    expect(rows).to_have_count(1)

    # The desk finds out on its next page: back to the login form.
    desk.goto("/account/security")
    expect(desk).to_have_url(re.compile(r"/auth/login(\?|$)"))
    expect(desk.get_by_role("heading", name="Log in")).to_be_visible()
    # And the laptop is still in.
    laptop.goto("/")
    expect_home(laptop)
