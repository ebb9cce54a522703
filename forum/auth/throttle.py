"""Per-account login throttling on the rate limiter's storage (Redis when configured).

Tiers of growing windows slow a guessing attacker down more and more, but every tier
expires on its own, so an attacker can delay a real user's login, never lock it for good
(ASVS 6.3.1). Unknown e-mail addresses are throttled exactly like real ones.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from limits import parse

from forum.extensions import limiter


def _key(email: str) -> str:
    return "login-account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _limits():
    return [parse(text) for text in current_app.config["LOGIN_ACCOUNT_LIMITS"]]


def seconds_until_allowed(email: str) -> int:
    """0 when the account may try to log in now, else how long to wait."""
    wait = 0.0
    now = time.time()
    for item in _limits():
        if not limiter.limiter.test(item, _key(email)):
            stats = limiter.limiter.get_window_stats(item, _key(email))
            wait = max(wait, stats.reset_time - now)
    return int(wait) + (1 if wait > int(wait) else 0)


def record_failure(email: str) -> None:
    for item in _limits():
        limiter.limiter.hit(item, _key(email))


def clear_failures(email: str) -> None:
    for item in _limits():
        limiter.limiter.clear(item, _key(email))
