"""Timing attack on account discovery (security review): asking for access or for a password
reset takes at least the configured floor, whether or not the address has an account, so the
answer time does not tell a stranger which addresses are members."""

from __future__ import annotations

import time

import pytest

from tests.moderation.test_applications import FORM

FLOOR = 0.12


def _timed(client, path: str, data: dict) -> float:
    started = time.monotonic()
    answer = client.post(path, data=data)
    assert answer.status_code == 302
    return time.monotonic() - started


@pytest.mark.parametrize("path", ["/apply", "/auth/reset"])
def test_answer_time_does_not_reveal_whether_an_email_has_an_account(app, client, member, path):
    app.config["EMAIL_LOOKUP_MIN_SECONDS"] = FLOOR
    known = dict(FORM, email=member.email)
    unknown = dict(FORM, email="nobody.here@ministry.example")
    assert _timed(client, path, known) >= FLOOR
    assert _timed(client, path, unknown) >= FLOOR
