"""Who may read and write what in discussions: one home for every rule.

Reading a thread in a space needs a live membership (the space has not ended) or a staff
role; staff keep read-only access to spaces they are not active members of. Hidden threads
and posts are for staff only. ``readable_threads_clause`` is the same rule as SQL, so lists,
counts, search and notifications filter inside the query.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from forum.db_types import utcnow
from forum.discussions.models import Post
from forum.discussions.models import Space
from forum.discussions.models import SpaceMember
from forum.discussions.models import SpaceRole
from forum.discussions.models import Thread
from forum.extensions import db


def active_space_ids(user_id, now=None):
    """SQL: the spaces whose threads this user (id or column) may read as a member now.

    ``now`` (default: this instant) may be a bound parameter, for statements built once.
    """
    return (
        sa.select(SpaceMember.space_id)
        .join(Space, Space.id == SpaceMember.space_id)
        .where(
            SpaceMember.user_id == user_id,
            sa.or_(Space.ends_at.is_(None), Space.ends_at > (utcnow() if now is None else now)),
        )
    )


def readable_threads_clause(user, now=None):
    """SQL condition on Thread: true for exactly the threads ``user`` may read."""
    if user.is_staff:
        return sa.true()
    return sa.and_(
        Thread.hidden.is_(False),
        sa.or_(Thread.space_id.is_(None), Thread.space_id.in_(active_space_ids(user.id, now))),
    )


def readable_by_user_column(user_id_column, role_column):
    """SQL condition on Thread for a *column* of users (notifications, digests, mentions)."""
    from forum.auth.models import STAFF_ROLES

    return sa.or_(
        role_column.in_([r.value for r in STAFF_ROLES]),
        sa.and_(
            Thread.hidden.is_(False),
            sa.or_(
                Thread.space_id.is_(None), Thread.space_id.in_(active_space_ids(user_id_column))
            ),
        ),
    )


def membership(user, space: Space | None) -> SpaceMember | None:
    if space is None:
        return None
    return db.session.scalar(
        sa.select(SpaceMember).where(
            SpaceMember.space_id == space.id, SpaceMember.user_id == user.id
        )
    )


def is_active_member(user, space: Space) -> bool:
    return not space.has_ended() and membership(user, space) is not None


def can_read_space(user, space: Space) -> bool:
    return user.is_staff or is_active_member(user, space)


def can_manage_space(user, space: Space) -> bool:
    """Staff, or an owner of a space that has not ended, may add and remove members."""
    if user.is_staff:
        return True
    record = membership(user, space)
    return record is not None and record.role == SpaceRole.OWNER and not space.has_ended()


def can_read_thread(user, thread: Thread) -> bool:
    if user.is_staff:
        return True
    if thread.hidden:
        return False
    return thread.space is None or is_active_member(user, thread.space)


def can_write_in_space(user, space: Space | None) -> bool:
    """Public categories: any member. A space: its active members only, staff included."""
    return space is None or is_active_member(user, space)


def can_reply(user, thread: Thread) -> bool:
    if not can_read_thread(user, thread) or not can_write_in_space(user, thread.space):
        return False
    return user.is_staff or not (thread.locked or thread.hidden)


def can_see_post_body(user, post: Post) -> bool:
    """Deleted and hidden posts stay readable for staff only."""
    return post.is_visible_to_all or user.is_staff


def can_edit_post(user, post: Post) -> bool:
    if post.deleted_at is not None or post.hidden_at is not None:
        return False
    return post.author_id == user.id and can_reply(user, post.thread)


def can_delete_post(user, post: Post) -> bool:
    return post.deleted_at is None and post.author_id == user.id and can_reply(user, post.thread)


def readable_thread_or_404(user, thread_id: int) -> Thread:
    """The thread, or 404 whether it does not exist or may not be seen: both look alike."""
    thread = db.session.get(Thread, thread_id)
    if thread is None or not can_read_thread(user, thread):
        abort(404)
    return thread


def readable_post_or_404(user, post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not can_read_thread(user, post.thread):
        abort(404)
    return post
