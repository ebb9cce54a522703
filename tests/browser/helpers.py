"""Steps that several browser tests take the way a person does."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page
from playwright.sync_api import expect


def log_in(page: Page, email: str, password: str, code: str) -> None:
    """E-mail and password, then the authentication code; ends on the home page."""
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def person(user) -> dict:
    """What a test user would type at the login page (the code is computed when they log in)."""
    return {"email": user.email, "password": user.test_password, "secret": user.test_totp_secret}


def log_in_as(page: Page, who: dict) -> None:
    log_in(page, who["email"], who["password"], pyotp.TOTP(who["secret"]).now())
