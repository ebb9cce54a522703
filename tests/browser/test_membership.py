"""From stranger to member and out again, in a real browser.

Covered: an applicant requests access at /apply and confirms their address from the e-mail →
a moderator approves in the queue → the invitation e-mail (read from the development outbox)
→ the applicant sets a password, enrols TOTP and lands in the app → the moderator suspends
them → the applicant's open page is sent to the login page on its next request.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from forum import mail
from forum.auth.models import Role
from forum.auth.models import User
from forum.extensions import db
from tests.auth.helpers import mail_text
from tests.browser.helpers import log_in
from tests.browser.test_enrolment_flow import Phone
from tests.factories import make_user

pytestmark = pytest.mark.browser

EMAIL = "ines.duarte@pgr.example"
NAME = "Inês Duarte"
PASSWORD = "cobalt meadow lighthouse ninety"


def last_link_to(address: str, marker: str) -> str:
    """The newest link containing ``marker`` in a mail to ``address`` (development outbox)."""
    for message in reversed(mail.memory_outbox):
        if message["To"] == address:
            links = re.findall(r"https?://\S+", mail_text(message))
            found = [link for link in links if marker in link]
            if found:
                return found[0]
    raise AssertionError(f"no mail to {address} with {marker}")


def test_apply_approve_enrol_and_suspend(live_server, new_page):
    with live_server.app.app_context():
        moderator = make_user(email="mod@liaison.example", role=Role.MODERATOR, state_code=None)
        moderator_secret, moderator_password = moderator.test_totp_secret, moderator.test_password
        db.session.remove()

    # The applicant asks for access.
    applicant = new_page()
    applicant.goto("/auth/login")
    applicant.locator("main").get_by_role("link", name="Request access").click()
    applicant.get_by_label("Your name").fill(NAME)
    applicant.get_by_label("Official email").fill(EMAIL)
    applicant.get_by_label("State").select_option("PT")
    applicant.get_by_label("Authority").fill("Procuradoria-Geral da República")
    applicant.get_by_label("Your function").fill("Prosecutor, international cooperation")
    applicant.get_by_label("Why do you need access?").fill(
        "I send and receive MLA requests and need direct contacts in other States."
    )
    applicant.get_by_role("button", name="Send request").click()
    expect(applicant.get_by_role("heading", name="Check your email")).to_be_visible()

    # … and confirms the address from the e-mail.
    applicant.goto(last_link_to(EMAIL, "/apply/confirm/"))
    applicant.get_by_role("button", name="Confirm my email address").click()
    expect(applicant.get_by_role("heading", name="Request received")).to_be_visible()

    # The moderator approves.
    staff = new_page()
    log_in(staff, "mod@liaison.example", moderator_password, Phone(moderator_secret).next_code())
    staff.get_by_role("link", name="Moderation").click()
    staff.get_by_test_id("applications").get_by_role("link", name=NAME).click()
    staff.get_by_role("button", name="Approve and invite").click()
    expect(staff.get_by_text("Approved: the invitation has been sent.")).to_be_visible()

    # The invitation e-mail, then password and TOTP enrolment.
    applicant.goto(last_link_to(EMAIL, "/auth/invitation/"))
    applicant.get_by_label("Your name").fill(NAME)
    applicant.get_by_label("Password", exact=True).fill(PASSWORD)
    applicant.get_by_label("Repeat the password").fill(PASSWORD)
    applicant.get_by_role("button", name="Continue").click()
    expect(applicant).to_have_url(re.compile(r"/auth/enrol$"))
    phone = Phone(applicant.get_by_test_id("totp-secret").inner_text().replace(" ", ""))
    applicant.get_by_label("Authentication code").fill(phone.next_code())
    applicant.get_by_role("button", name="Confirm and turn on two-factor authentication").click()
    applicant.get_by_role("link", name="I have saved my recovery codes").click()
    expect(applicant.get_by_role("heading", name=f"Welcome, {NAME}")).to_be_visible()

    # The moderator suspends the new member.
    with live_server.app.app_context():
        member_id = db.session.scalar(sa.select(User.id).where(User.email == EMAIL))
        db.session.remove()
    staff.goto(f"/moderation/members/{member_id}")
    staff.locator("#suspend-reason").fill("Account shared with a colleague")
    staff.get_by_role("button", name="Suspend", exact=True).click()
    expect(staff.get_by_test_id("member-status")).to_have_text("suspended")

    # The applicant's open page is bounced to the login page on its next request.
    applicant.reload()
    expect(applicant).to_have_url(re.compile(r"/auth/login(\?|$)"))
    expect(applicant.get_by_role("heading", name="Log in")).to_be_visible()
