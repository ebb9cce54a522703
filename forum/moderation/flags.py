"""The flag queue: flagged posts grouped, and the decisions taken on them.

Builds on discussions' named moderation functions (``forum.discussions.moderation``); each
decision resolves the post's open flags and tells the author privately what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.discussions import moderation as discussions
from forum.discussions.models import Category
from forum.discussions.models import Flag
from forum.discussions.models import Post
from forum.extensions import db
from forum.moderation.members import do_send_notice

QUEUE_LIMIT = 500


@dataclass
class FlaggedPost:
    post: Post
    flags: list[Flag] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.flags)


def flag_queue() -> list[FlaggedPost]:
    """Open flags grouped by post, most-flagged first; a constant number of queries."""
    flags = db.session.scalars(
        discussions.open_flags_query()
        .options(
            so.selectinload(Flag.post).selectinload(Post.thread),
            so.selectinload(Flag.post).selectinload(Post.author),
            so.selectinload(Flag.reporter),
        )
        .limit(QUEUE_LIMIT)
    ).all()
    groups: dict[int, FlaggedPost] = {}
    for flag in flags:
        groups.setdefault(flag.post_id, FlaggedPost(flag.post)).flags.append(flag)
    return sorted(groups.values(), key=lambda g: (-g.count, g.flags[0].created_at))


def open_flags_for(post: Post) -> list[Flag]:
    return list(db.session.scalars(discussions.open_flags_query().where(Flag.post_id == post.id)))


def categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.name)))


def _open_flags_or_refuse(post: Post) -> list[Flag]:
    flags = open_flags_for(post)
    if not flags:
        raise ActionError(_("This post has no open flags."), 409)
    return flags


def _title(thread) -> str:
    """What a notice (and its e-mail) may name: a space thread's title never leaves the app."""
    return thread.title if thread.space_id is None else _("a thread in a private space")


def _tell(moderator, user, subject: str, body: str) -> None:
    if user is not None:
        do_send_notice(moderator, user, subject, body, action=None)


# Each decision is one staff action: it settles the post's open flags in the same
# transaction and writes exactly one audit entry, which lists the flag ids it resolved.


def do_dismiss(moderator, post: Post, reason: str) -> None:
    reason = discussions.check_reason(reason)
    discussions.do_resolve_flags(
        moderator, post, _open_flags_or_refuse(post), _("Dismissed: %(reason)s", reason=reason)
    )


def do_hide(moderator, post: Post, reason: str) -> None:
    reason = discussions.check_reason(reason)
    discussions.do_hide_post(
        moderator,
        post,
        reason,
        resolving=open_flags_for(post),
        resolution=_("Post hidden: %(reason)s", reason=reason),
    )
    _tell(
        moderator,
        post.author,
        _("One of your posts was hidden"),
        _(
            "The moderators hid your post in “%(title)s”. Reason: %(reason)s",
            title=_title(post.thread),
            reason=reason,
        ),
    )


def do_warn(moderator, post: Post, reason: str) -> None:
    """A private warning to the author; the post stays as it is."""
    if post.author is None:
        raise ActionError(_("This post has no author to warn."), 409)
    reason = discussions.check_reason(reason)
    flag_ids = discussions.resolve_flags(
        moderator, open_flags_for(post), _("Author warned: %(reason)s", reason=reason)
    )
    do_send_notice(
        moderator,
        post.author,
        _("A warning from the moderators"),
        _("About your post in “%(title)s”: %(reason)s", title=_title(post.thread), reason=reason),
        action="member.warned",
        details={"post_id": post.id, "flag_ids": flag_ids},
    )


def do_lock(moderator, post: Post, reason: str) -> None:
    thread = post.thread
    reason = discussions.check_reason(reason)
    discussions.do_lock_thread(
        moderator,
        thread,
        reason,
        resolving=open_flags_for(post),
        resolution=_("Thread locked: %(reason)s", reason=reason),
    )
    _tell(
        moderator,
        thread.author,
        _("Your thread was locked"),
        _(
            "The moderators locked “%(title)s”. Reason: %(reason)s",
            title=_title(thread),
            reason=reason,
        ),
    )


def do_move(moderator, post: Post, category_id: int | None, reason: str) -> None:
    thread = post.thread
    reason = discussions.check_reason(reason)
    category = db.session.get(Category, category_id) if category_id else None
    discussions.do_move_thread(
        moderator,
        thread,
        category,
        reason,
        resolving=open_flags_for(post),
        resolution=_("Thread moved: %(reason)s", reason=reason),
    )
    _tell(
        moderator,
        thread.author,
        _("Your thread was moved"),
        _(
            "The moderators moved “%(title)s” to %(category)s. Reason: %(reason)s",
            title=_title(thread),
            category=category.name,
            reason=reason,
        ),
    )
