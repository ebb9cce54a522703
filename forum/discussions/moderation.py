"""Moderation hooks on discussions, as plain functions for the moderation area to call.

Every ``do_*`` checks the actor may act, requires a reason, changes state, writes one audit
row and commits once. They raise :class:`forum.auth.actions.ActionError` when refused.

Stable API:
``do_flag_post(reporter, post, reason) -> Flag`` (any member who can read the post),
``do_resolve_flag(moderator, flag, resolution)``,
``do_resolve_flags(moderator, post, flags, resolution)`` (one entry for all of them),
``resolve_flags(moderator, flags, resolution) -> list[int]`` (staged only, for a caller
whose own decision is the audited act),
``do_hide_post / do_unhide_post(moderator, post, reason)``,
``do_lock_thread / do_unlock_thread(moderator, thread, reason)``,
``do_pin_thread / do_unpin_thread(moderator, thread, reason)``,
``do_hide_thread / do_unhide_thread(moderator, thread, reason)``,
``do_move_thread(moderator, thread, category, reason)``,
``open_flags_query()`` (a select of unresolved Flag rows, oldest first).

``do_hide_post``, ``do_lock_thread`` and ``do_move_thread`` take ``resolving=flags`` and
``resolution=text``: a decision taken on flags resolves them in the same transaction and its
single audit entry lists their ids (one staff action, one entry).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.db_types import utcnow
from forum.discussions import search
from forum.discussions.models import Category
from forum.discussions.models import Flag
from forum.discussions.models import Post
from forum.discussions.models import Thread
from forum.discussions.permissions import can_read_thread
from forum.extensions import db
from forum.security import audit

MAX_REASON = 1000


def _check_moderator(actor) -> None:
    if actor is None or not actor.is_staff:
        raise ActionError(_("Only moderators can do this."), 403)


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("Give a reason."))
    if len(reason) > MAX_REASON:
        raise ActionError(_("The reason is too long (at most %(n)s characters).", n=MAX_REASON))
    return reason


def do_flag_post(reporter, post: Post, reason: str) -> Flag:
    """Any member who can read the post may flag it once; the flag waits for moderators."""
    reason = check_reason(reason)
    if not can_read_thread(reporter, post.thread):
        raise ActionError(_("Not found."), 404)
    existing = db.session.scalar(
        sa.select(Flag).where(Flag.post_id == post.id, Flag.reporter_id == reporter.id)
    )
    if existing is not None:
        raise ActionError(_("You have already flagged this post."), 409)
    flag = Flag(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.session.add(flag)
    db.session.flush()
    audit.record("discussions.post_flagged", actor=reporter, target=post, flag_id=flag.id)
    db.session.commit()
    return flag


def do_resolve_flag(moderator, flag: Flag, resolution: str) -> None:
    _check_moderator(moderator)
    resolution = check_reason(resolution)
    if flag.resolved_at is not None:
        raise ActionError(_("This flag has already been resolved."), 409)
    _mark_resolved(moderator, [flag], resolution)
    audit.record("discussions.flag_resolved", actor=moderator, target=flag, resolution=resolution)
    db.session.commit()


def do_resolve_flags(moderator, post: Post, flags: Sequence[Flag], resolution: str) -> None:
    """Resolve several open flags of one post with one audit entry listing them."""
    resolution = check_reason(resolution)
    ids = resolve_flags(moderator, flags, resolution)
    if not ids:
        raise ActionError(_("This post has no open flags."), 409)
    audit.record(
        "discussions.flags_resolved",
        actor=moderator,
        target=post,
        flag_ids=ids,
        resolution=resolution,
    )
    db.session.commit()


def resolve_flags(moderator, flags: Sequence[Flag], resolution: str) -> list[int]:
    """Stage the resolution of the still-open ``flags``: no audit row, no commit.

    The caller's own decision is the audited act: it puts the returned ids in its entry and
    commits, so the decision and the flags it settles land together.
    """
    _check_moderator(moderator)
    resolution = check_reason(resolution)
    return _mark_resolved(moderator, [f for f in flags if f.resolved_at is None], resolution)


def _mark_resolved(moderator, flags: Sequence[Flag], resolution: str) -> list[int]:
    now = utcnow()
    for flag in flags:
        flag.resolved_at = now
        flag.resolved_by_id = moderator.id
        flag.resolution = resolution[:500]
    return [flag.id for flag in flags]


def _flag_details(moderator, resolving: Sequence[Flag], resolution: str) -> dict:
    if not resolving:
        return {}
    return {"flag_ids": resolve_flags(moderator, resolving, resolution or "-")}


def open_flags_query():
    return sa.select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at, Flag.id)


def _set_post_hidden(
    moderator,
    post: Post,
    reason: str,
    hidden: bool,
    resolving: Sequence[Flag] = (),
    resolution: str = "",
) -> None:
    _check_moderator(moderator)
    reason = check_reason(reason)
    if (post.hidden_at is not None) == hidden:
        raise ActionError(_("Nothing to change."), 409)
    details = _flag_details(moderator, resolving, resolution)
    post.hidden_at = utcnow() if hidden else None
    post.hidden_by_id = moderator.id if hidden else None
    post.hidden_reason = reason[:500] if hidden else ""
    search.sync_post(post)
    action = "discussions.post_hidden" if hidden else "discussions.post_unhidden"
    audit.record(action, actor=moderator, target=post, reason=reason, **details)
    db.session.commit()


def do_hide_post(
    moderator, post: Post, reason: str, *, resolving: Sequence[Flag] = (), resolution: str = ""
) -> None:
    _set_post_hidden(moderator, post, reason, True, resolving, resolution)


def do_unhide_post(moderator, post: Post, reason: str) -> None:
    _set_post_hidden(moderator, post, reason, False)


def _set_thread_flag(
    moderator,
    thread: Thread,
    attribute: str,
    value: bool,
    reason: str,
    resolving: Sequence[Flag] = (),
    resolution: str = "",
):
    _check_moderator(moderator)
    reason = check_reason(reason)
    if getattr(thread, attribute) == value:
        raise ActionError(_("Nothing to change."), 409)
    setattr(thread, attribute, value)
    audit.record(
        f"discussions.thread_{attribute}" if value else f"discussions.thread_un{attribute}",
        actor=moderator,
        target=thread,
        reason=reason,
        **_flag_details(moderator, resolving, resolution),
    )
    db.session.commit()


def do_lock_thread(
    moderator, thread: Thread, reason: str, *, resolving: Sequence[Flag] = (), resolution: str = ""
) -> None:
    _set_thread_flag(moderator, thread, "locked", True, reason, resolving, resolution)


def do_unlock_thread(moderator, thread: Thread, reason: str) -> None:
    _set_thread_flag(moderator, thread, "locked", False, reason)


def do_pin_thread(moderator, thread: Thread, reason: str) -> None:
    _set_thread_flag(moderator, thread, "pinned", True, reason)


def do_unpin_thread(moderator, thread: Thread, reason: str) -> None:
    _set_thread_flag(moderator, thread, "pinned", False, reason)


def do_hide_thread(moderator, thread: Thread, reason: str) -> None:
    _set_thread_flag(moderator, thread, "hidden", True, reason)


def do_unhide_thread(moderator, thread: Thread, reason: str) -> None:
    _set_thread_flag(moderator, thread, "hidden", False, reason)


def do_move_thread(
    moderator,
    thread: Thread,
    category: Category,
    reason: str,
    *,
    resolving: Sequence[Flag] = (),
    resolution: str = "",
) -> None:
    """Move to another category (a thread keeps its space: moving never widens access)."""
    _check_moderator(moderator)
    reason = check_reason(reason)
    if category is None or category.id == thread.category_id:
        raise ActionError(_("Choose another category."))
    previous = thread.category_id
    thread.category_id = category.id
    audit.record(
        "discussions.thread_moved",
        actor=moderator,
        target=thread,
        reason=reason,
        from_category=previous,
        to_category=category.id,
        **_flag_details(moderator, resolving, resolution),
    )
    db.session.commit()
