"""Password reset by e-mail link (single use, one hour, second factor) and the password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from forum.auth.models import PasswordReset
from forum.auth.passwords import password_problems
from forum.auth.passwords import verify_password
from forum.db_types import utcnow
from forum.extensions import db
from tests.auth.helpers import audit_actions
from tests.auth.helpers import audit_rows
from tests.auth.helpers import is_signed_in
from tests.auth.helpers import link_path
from tests.auth.helpers import logged_in_client
from tests.factories import make_user
from tests.factories import totp_code

NEW_PASSWORD = "velvet tundra compass oyster"
# Entries of the common-password list long enough that only the list can refuse them.
LONG_COMMON = sorted(word for word in FREQUENCY_LISTS["passwords"] if len(word) >= 12)


def request_reset(client, email: str):
    return client.post("/auth/reset", data={"email": email})


def reset(client, path: str, password: str, code: str, confirmation: str | None = None):
    return client.post(
        path,
        data={
            "password": password,
            "code": code,
            "confirmation": password if confirmation is None else confirmation,
        },
    )


@pytest.fixture
def reset_link(client, member, outbox):
    """The path of a reset link mailed to ``member``."""
    assert request_reset(client, member.email).status_code == 302
    return link_path(outbox[-1], "/auth/reset/")


def password_is(user, password: str) -> bool:
    db.session.refresh(user)
    return verify_password(user.password_hash, password)


def test_request_answers_the_same_for_known_and_unknown_addresses(app, member, outbox):
    answers = []
    for email in (member.email, "nobody@example.org"):
        browser = app.test_client()
        response = request_reset(browser, email)
        answers.append(
            (response.status_code, response.headers["Location"], browser.get("/auth/login").text)
        )
    assert answers[0] == answers[1]
    assert "If that address belongs to an account" in answers[0][2]
    assert [message["To"] for message in outbox] == [member.email]
    assert audit_actions() == ["password.reset_requested"]


def test_no_mail_for_a_suspended_account(client, outbox):
    suspended = make_user(status="suspended")
    assert request_reset(client, suspended.email).status_code == 302
    assert outbox == []


def test_no_mail_for_an_account_without_a_second_factor(client, outbox):
    """Otherwise the mailbox alone would be enough to take the account over."""
    not_enrolled = make_user(enrolled=False)
    assert request_reset(client, not_enrolled.email).status_code == 302
    assert outbox == []


def test_reset_link_sets_the_password_once(app, client, member, reset_link):
    assert client.get(reset_link).status_code == 200
    response = reset(client, reset_link, NEW_PASSWORD, totp_code(member))
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert password_is(member, NEW_PASSWORD)
    [event] = audit_rows("password.reset")
    assert event.actor_id == member.id

    assert client.get(reset_link).status_code == 404
    again = reset(app.test_client(), reset_link, "another fine passphrase", totp_code(member))
    assert again.status_code == 404
    assert password_is(member, NEW_PASSWORD)


def test_reset_link_lasts_one_hour(app, client, member, reset_link):
    [record] = db.session.scalars(sa.select(PasswordReset)).all()
    lifetime = record.expires_at - record.created_at
    assert timedelta(minutes=59, seconds=55) < lifetime <= timedelta(hours=1)
    record.created_at = utcnow() - timedelta(hours=1, seconds=1)
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(reset_link).status_code == 404
    assert reset(client, reset_link, NEW_PASSWORD, totp_code(member)).status_code == 404
    assert password_is(member, member.test_password)


def test_link_token_is_stored_hashed(reset_link):
    token = reset_link.rsplit("/", 1)[1]
    rows = db.session.execute(sa.select(PasswordReset.__table__)).all()
    assert all(token not in str(value) for row in rows for value in row)


def test_wrong_code_leaves_the_password_unchanged(client, member, reset_link):
    response = reset(client, reset_link, NEW_PASSWORD, "000000")
    assert response.status_code == 400
    assert "The authentication code is not correct." in response.text
    assert password_is(member, member.test_password)
    assert "password.reset" not in audit_actions()
    # The link is not spent by a mistake; the right code still works.
    assert reset(client, reset_link, NEW_PASSWORD, totp_code(member)).status_code == 302


def test_missing_code_is_refused(client, member, reset_link):
    assert reset(client, reset_link, NEW_PASSWORD, "").status_code == 400
    assert password_is(member, member.test_password)


def test_guessing_codes_through_a_reset_link_is_throttled(client, member, reset_link):
    for _ in range(5):
        assert reset(client, reset_link, NEW_PASSWORD, "000000").status_code == 400
    response = reset(client, reset_link, NEW_PASSWORD, totp_code(member))
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert password_is(member, member.test_password)


def test_reset_ends_every_session(app, client, member, reset_link):
    elsewhere = logged_in_client(app, member)
    assert reset(client, reset_link, NEW_PASSWORD, totp_code(member)).status_code == 302
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(client)
    [event] = audit_rows("password.reset")
    assert event.details_dict == {"sessions_ended": 1}


def test_mismatched_confirmation_is_refused(client, member, reset_link):
    response = reset(
        client, reset_link, NEW_PASSWORD, totp_code(member), confirmation=NEW_PASSWORD + "x"
    )
    assert response.status_code == 400
    assert "The two passwords do not match." in response.text
    assert password_is(member, member.test_password)


# --- password policy, through the reset form --------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("eleven char", "Use at least 12 characters."),
        ("password123456", "too common"),
        ("PASSWORD123456", "too common"),
        (LONG_COMMON[0], "too common"),
        (LONG_COMMON[-1], "too common"),
        ("x" * 257, "Use at most 256 characters."),
    ],
)
def test_policy_refuses(client, member, reset_link, password, message):
    response = reset(client, reset_link, password, totp_code(member))
    assert response.status_code == 400
    assert message in response.text
    assert password_is(member, member.test_password)


def test_policy_refuses_every_long_entry_of_the_common_list(app):
    assert len(LONG_COMMON) > 100
    with app.test_request_context():
        accepted = [word for word in LONG_COMMON if not password_problems(word)]
    assert accepted == []


@pytest.mark.parametrize("length", [12, 255, 256])
def test_policy_accepts_long_passwords_up_to_the_maximum(client, member, reset_link, length):
    password = ("Orchard lantern 7 quartz meadow; " * 10)[:length]
    assert len(password) == length
    response = reset(client, reset_link, password, totp_code(member))
    assert response.status_code == 302
    assert password_is(member, password)


@pytest.mark.parametrize("page", ["/auth/login", "reset"])
def test_password_fields_allow_pasting(client, reset_link, page):
    text = client.get(reset_link if page == "reset" else page).text
    assert 'type="password"' in text
    lowered = text.lower()
    assert "onpaste" not in lowered
    assert "oncopy" not in lowered
    assert 'autocomplete="off"' not in lowered


def test_no_script_blocks_pasting(app):
    from pathlib import Path

    static = Path(app.static_folder)
    scripts = list(static.rglob("*.js"))
    assert scripts
    assert all("paste" not in path.read_text() for path in scripts)


def test_a_new_password_spends_every_other_reset_link(app, client, member, outbox):
    for _ in range(2):
        request_reset(client, member.email)
    older, newer = (link_path(message, "/auth/reset/") for message in outbox)
    assert reset(client, newer, NEW_PASSWORD, totp_code(member)).status_code == 302
    assert app.test_client().get(older).status_code == 404


def test_a_password_change_spends_pending_reset_links(app, client, member, outbox):
    request_reset(client, member.email)
    link = link_path(outbox[-1], "/auth/reset/")
    browser = logged_in_client(app, member)
    changed = browser.post(
        "/account/password",
        data={
            "current_password": member.test_password,
            "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert app.test_client().get(link).status_code == 404
