"""Builders for chat tests."""

from __future__ import annotations

import time

from forum.chat import actions


def direct_between(user, other):
    return actions.do_start_direct(user, other.id)


def group_of(owner, *members, title="Case coordination"):
    return actions.do_create_group(owner, title, [m.id for m in members])


def wait_until(condition, timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
