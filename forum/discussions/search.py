"""Full-text search over posts: SQLite FTS5 or PostgreSQL tsvector + GIN, one interface.

The index table ``post_search`` is created by migration 0003 and kept in step by the write
functions (``sync_post`` after every create, edit, delete, hide). It holds plain text of
visible posts only, and the thread title on each thread's first post. The permission filter
is part of the search query itself, so hits, ranks and "more" never reveal what a user may
not read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

import nh3
import sqlalchemy as sa
from markupsafe import Markup
from markupsafe import escape

from forum.discussions.models import Post
from forum.discussions.models import Thread
from forum.discussions.permissions import readable_threads_clause
from forum.extensions import db

TABLE = "post_search"
MAX_TERMS = 12
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_search_table(name: str) -> bool:
    """Tables the models do not describe (FTS5 creates shadow tables ``post_search_*``)."""
    return name == TABLE or name.startswith(TABLE + "_")


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def plain_text(rendered_html: str) -> str:
    return _CONTROL.sub(" ", html.unescape(nh3.clean(rendered_html, tags=set())))


def remove_post(post_id: int) -> None:
    if _is_postgres():
        db.session.execute(sa.text(f"DELETE FROM {TABLE} WHERE post_id = :id"), {"id": post_id})
    else:
        db.session.execute(sa.text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": post_id})


def sync_post(post: Post) -> None:
    """Bring one post's index row in line with the post (removed when not visible)."""
    db.session.flush()
    remove_post(post.id)
    if not post.is_visible_to_all:
        return
    title = post.thread.title if post.number == 1 else ""
    values = {"id": post.id, "title": _CONTROL.sub(" ", title), "body": plain_text(post.html)}
    if _is_postgres():
        statement = f"INSERT INTO {TABLE} (post_id, title, body) VALUES (:id, :title, :body)"
    else:
        statement = f"INSERT INTO {TABLE} (rowid, title, body) VALUES (:id, :title, :body)"
    db.session.execute(sa.text(statement), values)


def sync_thread_title(thread: Thread) -> None:
    first = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    if first is not None:
        sync_post(first)


def terms(query: str) -> list[str]:
    return _WORD.findall(query or "")[:MAX_TERMS]


@dataclass
class Filters:
    category_id: int | None = None
    space_id: int | None = None
    author_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class Hit:
    post_id: int
    thread_id: int
    number: int
    thread_title: str
    author_id: int | None
    created_at: datetime
    snippet: Markup


def highlight(text: str) -> Markup:
    """Escape everything, then turn our sentinels into <mark>: the text stays inert."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def _filtered(select, user, filters: Filters):
    select = select.join(Post, Post.id == _id_column()).join(Thread, Thread.id == Post.thread_id)
    conditions = [
        readable_threads_clause(user),
        Post.deleted_at.is_(None),
        Post.hidden_at.is_(None),
    ]
    if filters.category_id:
        conditions.append(Thread.category_id == filters.category_id)
    if filters.space_id:
        conditions.append(Thread.space_id == filters.space_id)
    if filters.author_id:
        conditions.append(Post.author_id == filters.author_id)
    if filters.since:
        conditions.append(Post.created_at >= filters.since)
    if filters.until:
        conditions.append(Post.created_at < filters.until)
    return select.where(*conditions)


def _id_column():
    return sa.literal_column(f"{TABLE}.post_id" if _is_postgres() else f"{TABLE}.rowid")


def search(user, query: str, filters: Filters | None = None, *, limit=20, offset=0) -> list[Hit]:
    """Ranked hits the user may read; ask for ``limit + 1`` to learn whether there are more."""
    words = terms(query)
    if not words:
        return []
    filters = filters or Filters()
    table = sa.table(TABLE)
    if _is_postgres():
        tsquery = " & ".join(words[:-1] + [words[-1] + ":*"])
        query_fn = sa.func.to_tsquery("simple", tsquery)
        inner = _filtered(
            sa.select(
                Post.id.label("post_id"),
                sa.func.ts_rank_cd(sa.literal_column(f"{TABLE}.document"), query_fn).label("rank"),
            ).select_from(table),
            user,
            filters,
        ).where(sa.literal_column(f"{TABLE}.document").op("@@")(query_fn))
        inner = inner.order_by(sa.desc("rank"), Post.id.desc()).limit(limit).offset(offset)
        ranked = inner.subquery()
        options = f"StartSel={_START},StopSel={_STOP},MaxFragments=2,MaxWords=24,MinWords=8"
        snippet = sa.func.ts_headline(
            "simple",
            sa.func.concat_ws(" — ", sa.literal_column("ps.title"), sa.literal_column("ps.body")),
            query_fn,
            options,
        )
        statement = (
            sa.select(Post, Thread.title, snippet)
            .select_from(ranked)
            .join(Post, Post.id == ranked.c.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .join(sa.table(TABLE).alias("ps"), sa.literal_column("ps.post_id") == Post.id)
            .order_by(ranked.c.rank.desc(), Post.id.desc())
        )
    else:
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words) + "*"
        snippet = sa.literal_column(f"snippet({TABLE}, -1, char(2), char(3), '…', 24)")
        statement = (
            _filtered(sa.select(Post, Thread.title, snippet).select_from(table), user, filters)
            .where(sa.text(f"{TABLE} MATCH :match").bindparams(match=match))
            .order_by(sa.literal_column(f"bm25({TABLE}, 4.0, 1.0)"), Post.id.desc())
            .limit(limit)
            .offset(offset)
        )
    rows = db.session.execute(statement).all()
    return [
        Hit(
            post_id=post.id,
            thread_id=post.thread_id,
            number=post.number,
            thread_title=title,
            author_id=post.author_id,
            created_at=post.created_at,
            snippet=highlight(text),
        )
        for post, title, text in rows
    ]
