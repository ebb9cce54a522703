"""Builders for chat tests."""

from __future__ import annotations

from forum.chat import actions


def direct_between(user, other):
    return actions.do_start_direct(user, other.id)


def group_of(owner, *members, title="Case coordination"):
    return actions.do_create_group(owner, title, [m.id for m in members])
