"""TOTP enrolment: QR code and secret, confirmation, recovery codes, secrets at rest."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from forum.auth import totp
from forum.auth.models import RecoveryCode
from forum.auth.models import Status
from forum.extensions import db
from forum.security.crypto import decrypt_secret
from tests.auth.helpers import audit_rows
from tests.auth.helpers import cookie_value
from tests.auth.helpers import copy_cookie
from tests.auth.helpers import is_signed_in
from tests.auth.helpers import sessions_of
from tests.factories import make_user

SECRET_RE = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')
CODES_RE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def shown_secret(page_text: str) -> str:
    [secret] = SECRET_RE.findall(page_text)
    return secret.replace(" ", "")


def wrong_code(secret: str) -> str:
    """A six-digit code no step inside the allowed drift produces."""
    now = time.time()
    valid = {pyotp.TOTP(secret).at(now + drift * totp.STEP_SECONDS) for drift in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


@pytest.fixture
def newcomer(app):
    """An invited account with a password but no second factor yet."""
    return make_user(status=Status.INVITED, enrolled=False)


@pytest.fixture
def enrolling(client, newcomer):
    """The default client after the password step of a first login: only enrolment is open."""
    response = client.post(
        "/auth/login", data={"email": newcomer.email, "password": newcomer.test_password}
    )
    assert response.headers["Location"] == "/auth/enrol"
    return client


def test_enrolment_page_shows_an_inline_qr_code_and_the_secret(enrolling, newcomer):
    page = enrolling.get("/auth/enrol")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "<img" not in page.text.split('class="qr"', 1)[1].split("</div>", 1)[0]
    secret = shown_secret(page.text)
    assert len(secret) >= 32
    # The same secret until it is confirmed: reloading must not invalidate a scanned code.
    assert shown_secret(enrolling.get("/auth/enrol").text) == secret


def test_wrong_code_is_refused_and_the_same_secret_is_shown(enrolling, newcomer):
    secret = shown_secret(enrolling.get("/auth/enrol").text)
    response = enrolling.post("/auth/enrol", data={"code": wrong_code(secret)})
    assert response.status_code == 400
    assert "That code does not match." in response.text
    assert shown_secret(response.text) == secret
    db.session.refresh(newcomer)
    assert newcomer.status == Status.INVITED and not newcomer.has_totp
    assert audit_rows("2fa.enrolled") == []
    assert enrolling.get("/").headers["Location"] == "/auth/enrol"


def test_right_code_shows_ten_codes_activates_and_rotates_the_session(app, enrolling, newcomer):
    secret = shown_secret(enrolling.get("/auth/enrol").text)
    before = cookie_value(enrolling)
    stale = app.test_client()
    copy_cookie(enrolling, stale)

    response = enrolling.post("/auth/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = CODES_RE.findall(response.text)
    assert len(codes) == len(set(codes)) == 10

    db.session.refresh(newcomer)
    assert newcomer.status == Status.ACTIVE and newcomer.has_totp
    assert cookie_value(enrolling) != before
    enrolment_record, full_record = sessions_of(newcomer)
    assert enrolment_record.revoked_reason == "upgraded" and not enrolment_record.mfa_complete
    assert full_record.revoked_at is None and full_record.mfa_complete
    assert is_signed_in(enrolling)
    # The enrolment-only cookie is dead: it opens neither the site nor enrolment again.
    assert not is_signed_in(stale)
    assert stale.get("/auth/enrol").headers["Location"].startswith("/auth/login")
    [enrolled] = audit_rows("2fa.enrolled")
    assert (enrolled.actor_id, enrolled.target_type, enrolled.target_id) == (
        newcomer.id,
        "user",
        str(newcomer.id),
    )


def test_recovery_codes_are_stored_hashed_and_each_works(app, enrolling, newcomer):
    secret = shown_secret(enrolling.get("/auth/enrol").text)
    codes = CODES_RE.findall(
        enrolling.post("/auth/enrol", data={"code": pyotp.TOTP(secret).now()}).text
    )
    stored = db.session.execute(
        sa.select(RecoveryCode.__table__).where(RecoveryCode.user_id == newcomer.id)
    ).all()
    assert len(stored) == 10
    dump = " ".join(str(value) for row in stored for value in row)
    for code in codes:
        assert code not in dump
        assert code.replace("-", "") not in dump
    # The shown codes are the real ones: one of them logs in instead of the app's code.
    browser = app.test_client()
    browser.post("/auth/login", data={"email": newcomer.email, "password": newcomer.test_password})
    assert browser.post("/auth/login/code", data={"code": codes[3]}).status_code == 302


def test_totp_secret_is_encrypted_at_rest(enrolling, newcomer):
    secret = shown_secret(enrolling.get("/auth/enrol").text)
    enrolling.post("/auth/enrol", data={"code": pyotp.TOTP(secret).now()})
    stored = db.session.execute(
        sa.text("SELECT totp_secret_encrypted FROM users WHERE id = :id"), {"id": newcomer.id}
    ).scalar_one()
    assert stored and secret not in stored
    assert secret.lower() not in stored.lower()
    assert decrypt_secret(stored) == secret


def test_account_without_second_factor_logging_in_goes_to_enrolment(client):
    demo_like = make_user(status=Status.ACTIVE, enrolled=False)
    response = client.post(
        "/auth/login", data={"email": demo_like.email, "password": demo_like.test_password}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/enrol"
    assert client.get("/").headers["Location"] == "/auth/enrol"
    assert client.get("/auth/enrol").status_code == 200
    [record] = sessions_of(demo_like)
    assert not record.mfa_complete


def test_wrong_password_for_an_unenrolled_account_does_not_reach_enrolment(client):
    demo_like = make_user(status=Status.ACTIVE, enrolled=False)
    response = client.post(
        "/auth/login", data={"email": demo_like.email, "password": "not the password at all"}
    )
    assert response.headers["Location"] == "/auth/login/code"
    assert client.get("/auth/enrol").headers["Location"].startswith("/auth/login")
    assert sessions_of(demo_like) == []
