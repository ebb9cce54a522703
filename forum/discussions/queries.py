"""Read-side queries: thread lists with unread marks, a page of posts, case filters.

Every list filters with ``readable_threads_clause`` inside the query, and a thread page costs
the same number of queries whatever the thread's length.
"""

from __future__ import annotations

import collections

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from forum.auth.models import User
from forum.db_types import utcnow
from forum.discussions.models import Attachment
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


class _AnyReader:
    """The reader of a statement built once: their id is the ``user_id`` parameter."""

    id = sa.bindparam("user_id")
    is_staff = False


def _thread_rows_statement(readable):
    return (
        sa.select(
            Thread.id,
            Thread.title,
            Thread.kind,
            Thread.pinned,
            Thread.locked,
            Thread.hidden,
            Thread.post_count,
            Thread.last_post_at,
            Space.name.label("space_name"),
            User.display_name.label("author_name"),
            User.email.label("author_email"),
            Category.name.label("category_name"),
            ThreadRead.last_read_number.label("last_read"),
        )
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(Space, Space.id == Thread.space_id)
        .outerjoin(User, User.id == Thread.author_id)
        .outerjoin(
            ThreadRead,
            sa.and_(
                ThreadRead.thread_id == Thread.id, ThreadRead.user_id == sa.bindparam("user_id")
            ),
        )
        .where(readable)
    )


# Built once, for staff (every thread) and for members (the readable ones at ``now``).
_THREAD_ROWS = {
    True: _thread_rows_statement(sa.true()),
    False: _thread_rows_statement(readable_threads_clause(_AnyReader, sa.bindparam("now"))),
}


# Plain named tuples: hashed and compared in C, as the keys of forum/discussions/fragments.py.
ThreadRow = collections.namedtuple("ThreadRow", _THREAD_ROWS[True].selected_columns.keys())


def thread_list(user, *conditions, limit: int = 30, offset: int = 0, pinned_first=False):
    """Rows of the threads ``user`` may read, newest activity first: the thread's columns,
    ``space_name``, ``author_name``, ``author_email``, ``category_name`` and ``last_read``
    (the reader's last read number, or None)."""
    order = [Thread.pinned.desc()] if pinned_first else []
    statement = (
        _THREAD_ROWS[user.is_staff]
        .where(*conditions)
        .order_by(*order, Thread.last_post_at.desc(), Thread.id.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )
    parameters = {"user_id": user.id, "now": utcnow(), "limit": limit, "offset": offset}
    return list(map(ThreadRow._make, db.session.connection().execute(statement, parameters).all()))


_CATEGORY_PAGE = (
    sa.select(
        Category.id,
        Category.slug,
        Category.name,
        Category.description,
        Subscription.level,
    )
    .outerjoin(
        Subscription,
        sa.and_(
            Subscription.category_id == Category.id,
            Subscription.user_id == sa.bindparam("user_id"),
        ),
    )
    .where(Category.slug == sa.bindparam("slug"))
)


def category_page(user, slug: str):
    """The category's row (id, slug, name, description) with the reader's subscription
    ``level``, or None."""
    return (
        db.session.connection().execute(_CATEGORY_PAGE, {"user_id": user.id, "slug": slug}).first()
    )


_CATEGORY_THREADS = {
    staff: statement.where(Thread.category_id == sa.bindparam("category_id"))
    .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    .limit(sa.bindparam("limit"))
    .offset(sa.bindparam("offset"))
    for staff, statement in _THREAD_ROWS.items()
}


def category_threads(user, category_id: int, *, limit: int, offset: int):
    """The category page's thread rows (as :func:`thread_list`), pinned first."""
    parameters = {
        "user_id": user.id,
        "now": utcnow(),
        "category_id": category_id,
        "limit": limit,
        "offset": offset,
    }
    result = db.session.connection().execute(_CATEGORY_THREADS[user.is_staff], parameters)
    return list(map(ThreadRow._make, result.all()))


def unread_condition(user):
    """Threads with posts the user has not read (never opened counts as unread)."""
    return sa.or_(
        ThreadRead.last_read_number.is_(None), ThreadRead.last_read_number < Thread.post_count
    )


# Thread pages are the busiest reads: their statements are built once, with parameters.
_THREAD_PAGE = (
    sa.select(Thread, ThreadRead.last_read_number, Subscription.level)
    .outerjoin(
        ThreadRead,
        sa.and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == sa.bindparam("user_id")),
    )
    .outerjoin(
        Subscription,
        sa.and_(
            Subscription.thread_id == Thread.id, Subscription.user_id == sa.bindparam("user_id")
        ),
    )
    .where(Thread.id == sa.bindparam("thread_id"))
    .options(
        so.joinedload(Thread.category),
        so.joinedload(Thread.space),
        so.joinedload(Thread.case),
    )
)


def thread_page(user, thread_id: int):
    """(thread with its category, space and case, reader's last read number, subscription
    level), or None: all a thread page needs besides its posts, in one statement."""
    return db.session.execute(_THREAD_PAGE, {"user_id": user.id, "thread_id": thread_id}).first()


_posts = Post.__table__.c
_users = User.__table__.c
_attachments = Attachment.__table__.c
_quoted = Post.__table__.alias("quoted")
_POST_ROWS = (
    sa.select(
        _posts.id,
        _posts.number,
        _posts.author_id,
        _posts.quote_of_id,
        _posts.html,
        # Naive UTC, as stored (the date filter reads naive as UTC): no per-row conversion.
        sa.type_coerce(_posts.created_at, sa.DateTime()).label("created_at"),
        _posts.edit_count,
        _posts.deleted_at.is_not(None).label("deleted"),
        _posts.hidden_at.is_not(None).label("hidden"),
        _posts.hidden_reason,
        _users.display_name,
        _users.email,
        _users.state_code,
        _quoted.c.number.label("quoted_number"),
        _attachments.id.label("attachment_id"),
        _attachments.original_name,
        _attachments.size,
    )
    .select_from(Post.__table__)
    .outerjoin(User.__table__, _users.id == _posts.author_id)
    .outerjoin(_quoted, _quoted.c.id == _posts.quote_of_id)
    .outerjoin(Attachment.__table__, _attachments.post_id == _posts.id)
    .where(
        _posts.thread_id == sa.bindparam("thread_id"),
        _posts.number.between(sa.bindparam("first"), sa.bindparam("last")),
    )
    .order_by(_posts.number, _attachments.id)
)


# Plain named tuples: hashed and compared in C, as the keys of forum/discussions/fragments.py.
PostRow = collections.namedtuple("PostRow", _POST_ROWS.selected_columns.keys())


def post_rows(thread_id: int, page: int) -> list[PostRow]:
    """One page of posts as plain rows, with author, quoted number and attachments joined in.

    A post with several attachments comes as several consecutive rows (one per attachment).
    Plain Core rows, not ORM objects: a page of 100 posts builds no identity map.
    """
    size = page_size()
    first = (page - 1) * size + 1
    result = db.session.connection().execute(
        _POST_ROWS, {"thread_id": thread_id, "first": first, "last": first + size - 1}
    )
    return list(map(PostRow._make, result.all()))


def last_read(user, thread: Thread) -> int:
    record = db.session.get(ThreadRead, (user.id, thread.id))
    return record.last_read_number if record else 0


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
