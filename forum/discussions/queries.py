"""Read-side queries: thread lists with unread marks, a page of posts, case filters.

Every list filters with ``readable_threads_clause`` inside the query, and a thread page costs
the same number of queries whatever the thread's length.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from forum.discussions.models import CaseExample
from forum.discussions.models import Category
from forum.discussions.models import Post
from forum.discussions.models import Space
from forum.discussions.models import SpaceMember
from forum.discussions.models import Subscription
from forum.discussions.models import Thread
from forum.discussions.models import ThreadRead
from forum.discussions.permissions import active_space_ids
from forum.discussions.permissions import readable_threads_clause
from forum.extensions import db


def page_size() -> int:
    return int(current_app.config.get("DISCUSSIONS_PAGE_SIZE", 25))


def categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.name)))


def category_counts(user) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Thread.category_id, sa.func.count())
        .where(readable_threads_clause(user))
        .group_by(Thread.category_id)
    )
    return dict(rows.all())


def thread_list(user, *conditions, limit: int = 30, offset: int = 0, pinned_first=False):
    """(thread, last_read_number or None) pairs, newest activity first."""
    order = [Thread.pinned.desc()] if pinned_first else []
    statement = (
        sa.select(Thread, ThreadRead.last_read_number)
        .outerjoin(
            ThreadRead, sa.and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id)
        )
        .where(readable_threads_clause(user), *conditions)
        .options(
            so.joinedload(Thread.author),
            so.joinedload(Thread.space),
            so.joinedload(Thread.category),
        )
        .order_by(*order, Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return db.session.execute(statement).all()


def unread_condition(user):
    """Threads with posts the user has not read (never opened counts as unread)."""
    return sa.or_(
        ThreadRead.last_read_number.is_(None), ThreadRead.last_read_number < Thread.post_count
    )


def posts_page(thread: Thread, page: int) -> list[Post]:
    size = page_size()
    first = (page - 1) * size + 1
    return list(
        db.session.scalars(
            sa.select(Post)
            .where(Post.thread_id == thread.id, Post.number.between(first, first + size - 1))
            .options(so.joinedload(Post.author), so.selectinload(Post.attachments))
            .order_by(Post.number)
        )
    )


def quoted_numbers(posts: list[Post]) -> dict[int, tuple[int, str]]:
    """For quoting posts on a page: quoted post id -> (number, author name), in one query."""
    ids = {p.quote_of_id for p in posts if p.quote_of_id}
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Post.id, Post.number, Post.author_id).where(Post.id.in_(ids))
    ).all()
    return {row.id: (row.number, row.author_id) for row in rows}


def last_read(user, thread: Thread) -> int:
    record = db.session.get(ThreadRead, (user.id, thread.id))
    return record.last_read_number if record else 0


def subscription_level(user, *, thread=None, category=None) -> str | None:
    column = Subscription.thread_id if thread is not None else Subscription.category_id
    target = thread if thread is not None else category
    return db.session.scalar(
        sa.select(Subscription.level).where(Subscription.user_id == user.id, column == target.id)
    )


def my_spaces(user) -> list[Space]:
    if user.is_staff:
        return list(db.session.scalars(sa.select(Space).order_by(Space.name)))
    return list(
        db.session.scalars(
            sa.select(Space).where(Space.id.in_(active_space_ids(user.id))).order_by(Space.name)
        )
    )


def space_members(space: Space) -> list[SpaceMember]:
    return list(
        db.session.scalars(
            sa.select(SpaceMember)
            .where(SpaceMember.space_id == space.id)
            .options(so.joinedload(SpaceMember.user))
            .order_by(SpaceMember.id)
        )
    )


CASE_FILTERS = (
    "cooperation_type",
    "requesting_state",
    "requested_state",
    "legal_basis",
    "outcome",
)


def case_list(user, filters: dict, limit=50, offset=0):
    conditions = [getattr(CaseExample, key) == value for key, value in filters.items() if value]
    statement = (
        sa.select(Thread, CaseExample)
        .join(CaseExample, CaseExample.thread_id == Thread.id)
        .where(readable_threads_clause(user), *conditions)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return db.session.execute(statement).all()
