"""Brute-force limits: per account (known or not), per address, expiry, and Redis sharing."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from redis import Redis

from forum.auth import throttle
from tests.auth.helpers import audit_actions
from tests.auth.helpers import is_signed_in
from tests.factories import make_user
from tests.factories import totp_code

TOO_MANY = "Too many failed attempts"


def attempt(client, email: str, password: str, code: str):
    """One whole login attempt; returns the code step's answer."""
    client.post("/auth/login", data={"email": email, "password": password})
    return client.post("/auth/login/code", data={"code": code})


def fail(client, email: str, password: str, times: int) -> None:
    for _ in range(times):
        answer = attempt(client, email, password, "000000")
        assert answer.status_code == 400, answer.status_code


def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_code(client, member):
    fail(client, member.email, member.test_password, 5)
    answer = attempt(client, member.email, member.test_password, totp_code(member))
    assert answer.status_code == 429
    assert TOO_MANY in answer.text
    assert not is_signed_in(client)
    assert audit_actions().count("login.failure") == 5
    assert "login.success" not in audit_actions()


def test_unknown_address_is_throttled_the_same_way(app, member):
    unknown = f"nobody-{uuid.uuid4().hex}@example.org"
    known_client, unknown_client = app.test_client(), app.test_client()
    fail(known_client, member.email, member.test_password, 5)
    fail(unknown_client, unknown, "any password at all", 5)
    known = attempt(known_client, member.email, member.test_password, totp_code(member))
    stranger = attempt(unknown_client, unknown, "any password at all", "123456")
    assert known.status_code == stranger.status_code == 429
    assert TOO_MANY in stranger.text
    assert "123456" not in stranger.text  # a typed code is never written back
    assert known.text.replace(member.email, "") == stranger.text.replace(unknown, "")


def test_failures_on_one_account_do_not_throttle_another(client, member):
    fail(client, "someone-else@example.org", "whatever password", 5)
    assert attempt(client, member.email, member.test_password, totp_code(member)).status_code == 302


def test_limit_lifts_when_the_window_passes(app, app_factory, member):
    short = app_factory(LOGIN_ACCOUNT_LIMITS=("3 per 2 seconds",))
    browser = short.test_client()
    fail(browser, member.email, member.test_password, 3)
    locked = attempt(browser, member.email, member.test_password, totp_code(member))
    assert locked.status_code == 429
    time.sleep(2.2)
    lifted = attempt(browser, member.email, member.test_password, totp_code(member))
    assert lifted.status_code == 302


def test_clearing_the_counter_lifts_the_limit(app, client, member):
    fail(client, member.email, member.test_password, 5)
    with app.test_request_context():
        assert throttle.seconds_until_allowed(member.email) > 0
        throttle.clear_failures(member.email.upper())
        assert throttle.seconds_until_allowed(member.email) == 0
    assert attempt(client, member.email, member.test_password, totp_code(member)).status_code == 302


def test_success_clears_the_counter(client, member):
    fail(client, member.email, member.test_password, 4)
    assert attempt(client, member.email, member.test_password, totp_code(member)).status_code == 302
    client.post("/auth/logout")
    # Four more failures would be eight in a row if the success had not reset the count.
    fail(client, member.email, member.test_password, 4)
    assert attempt(client, member.email, member.test_password, totp_code(member)).status_code == 302


def test_per_address_limit_on_the_password_step(app, app_factory, member):
    strict = app_factory(LOGIN_IP_LIMIT="3 per minute")
    browser = strict.test_client()
    for _ in range(3):
        answer = browser.post("/auth/login", data={"email": member.email, "password": "wrong one"})
        assert answer.status_code == 302
    refused = browser.post(
        "/auth/login", data={"email": member.email, "password": member.test_password}
    )
    assert refused.status_code == 429
    assert "Too many requests" in refused.text
    assert refused.mimetype == "text/html"
    # Another address is not affected.
    other = strict.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert (
        other.post("/auth/login", data={"email": member.email, "password": "wrong one"}).status_code
        == 302
    )


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    return url


@pytest.mark.redis
def test_failures_are_counted_across_app_processes_through_redis(app, app_factory, redis_url):
    # The database is shared by workers and runs: this test's own address and client IP
    # keep its counters apart, and only its own keys are deleted afterwards.
    email = f"redis-{uuid.uuid4().hex}@example.org"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    user = make_user(email=email)
    redis = Redis.from_url(redis_url)
    account_key = throttle._key(email).split(":", 1)[1]
    try:
        first = app_factory(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
        browser_a = first.test_client()
        browser_a.environ_base["REMOTE_ADDR"] = address
        fail(browser_a, email, user.test_password, 5)
        assert list(redis.scan_iter(match=f"*{account_key}*"))

        second = app_factory(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
        browser_b = second.test_client()
        browser_b.environ_base["REMOTE_ADDR"] = address
        answer = attempt(browser_b, email, user.test_password, totp_code(user))
        assert answer.status_code == 429
        assert TOO_MANY in answer.text
    finally:
        for pattern in (f"*{account_key}*", f"*{address}*"):
            for key in redis.scan_iter(match=pattern):
                redis.delete(key)
        redis.close()


def test_every_rate_limit_is_on_post_only(app):
    """Reads skip the limiter altogether (forum.extensions): a limit on a GET would be
    silently void, so none may exist."""
    from flask_limiter.util import get_qualified_name

    from forum.extensions import limiter

    limited = {}
    for endpoint, view in app.view_functions.items():
        for limit in limiter.limit_manager.decorated_limits(get_qualified_name(view)):
            limited[endpoint] = limit.methods
    assert "auth.login" in limited and "membership.apply" in limited
    assert {
        endpoint: methods for endpoint, methods in limited.items() if methods != ("post",)
    } == {}
