"""Full-text search over posts: SQLite FTS5 or PostgreSQL tsvector + GIN, one interface.

The index table ``post_search`` is created by migration 0003 and kept in step by the write
functions (``sync_post`` after every create, edit, delete, hide). It holds plain text of
visible posts only, and the thread title on each thread's first post. The permission filter
is part of the search query itself, so hits, ranks and "more" never reveal what a user may
not read.

Two things keep a search fast at a million posts (docs/performance.md, "Full-text search"):
a very common word ranks only about its newest ``RANKED_MATCHES`` readable matches rather
than reading every one of them, and on PostgreSQL the last word, a prefix, is spelled out as
the indexed words it begins (``_completions``, from ``post_search_words``, migration 0007).
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

from forum.auth.models import User
from forum.discussions.models import Post
from forum.discussions.models import Thread
from forum.discussions.permissions import readable_threads_clause
from forum.extensions import db

TABLE = "post_search"
WORDS_TABLE = "post_search_words"
MAX_TERMS = 12
# A prefix standing for more words than this is left to the index's own prefix search.
MAX_COMPLETIONS = 32
# Ranking reads every match, so a very common word would cost thousands of row reads per
# query: only about the newest this many readable matches are ranked (all of them for most
# queries). SQLite takes exactly these; PostgreSQL the posts of a window of newest posts
# expected to hold as many (see ``_window_floor``).
RANKED_MATCHES = 1000
# The window's range of ids costs a scan of the primary key over it (~1/18 of the index for
# a word in 2 % of posts); it pays when the matches are more than this many times
# RANKED_MATCHES, so that the window is at most a quarter of the ids.
WINDOW_FACTOR = 4
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
    if _is_postgres():
        remember_words(post.id, post.id)


def remember_words(first_id: int, last_id: int) -> None:
    """Add the words of the indexed posts ``first_id``…``last_id`` to ``post_search_words``.

    PostgreSQL only (see ``_completions``). Words are inserted in order, so that concurrent
    writers wait for one another instead of deadlocking; words of removed posts stay (they
    match nothing).
    """
    db.session.execute(
        sa.text(
            f"INSERT INTO {WORDS_TABLE} (word)"
            f" SELECT DISTINCT word FROM {TABLE}, unnest(tsvector_to_array(document)) AS word"
            " WHERE post_id BETWEEN :first AND :last ORDER BY word ON CONFLICT DO NOTHING"
        ),
        {"first": first_id, "last": last_id},
    )


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
    author_name: str | None  # None: no author (a former member)
    created_at: datetime
    snippet: Markup


def highlight(text: str) -> Markup:
    """Escape everything, then turn our sentinels into <mark>: the text stays inert."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def _filtered(select, user, filters: Filters, post_id=None):
    post_id = _id_column() if post_id is None else post_id
    select = select.join(Post, Post.id == post_id).join(Thread, Thread.id == Post.thread_id)
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
    """Ranked hits the user may read; ask for ``limit + 1`` to learn whether there are more.

    Only about the newest ``RANKED_MATCHES`` readable matches are ranked (see there).
    """
    words = terms(query)
    if not words:
        return []
    filters = filters or Filters()
    if _is_postgres():
        rows = _postgres_rows(user, words, filters, limit, offset)
    else:
        rows = _sqlite_rows(user, words, filters, limit, offset)
    return [
        Hit(
            post_id=row.id,
            thread_id=row.thread_id,
            number=row.number,
            thread_title=row.title,
            author_id=row.author_id,
            author_name=row.author_name,
            created_at=row.created_at,
            snippet=highlight(row.snippet),
        )
        for row in rows
    ]


def _hit_columns(post=Post):
    """What a Hit shows of its post: not the post's text, which is long and the snippet has."""
    return post.id, post.thread_id, post.number, post.author_id, post.created_at


def _author_name():
    """The author's name as ``user_name`` shows it, for an outer join to ``User``."""
    return sa.func.coalesce(sa.func.nullif(User.display_name, ""), User.email).label("author_name")


def _sqlite_rows(user, words, filters, limit, offset):
    """FTS5 yields matches newest first, so the cap ends the scan early.

    Snippets come from a second statement for the page's posts only: in one statement SQLite
    computes the selected snippet() of every ranked match before it sorts them.
    """
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words) + "*"
    table = sa.table(TABLE)
    newest = (
        _filtered(
            sa.select(
                Post.id.label("post_id"),
                sa.literal_column(f"bm25({TABLE}, 4.0, 1.0)").label("rank"),
            ).select_from(table),
            user,
            filters,
        )
        .where(sa.text(f"{TABLE} MATCH :match").bindparams(match=match))
        .order_by(_id_column().desc())
        .limit(RANKED_MATCHES)
        .subquery()
    )
    page = (
        db.session.execute(
            sa.select(newest.c.post_id)
            .order_by(newest.c.rank, newest.c.post_id.desc())
            .limit(limit)
            .offset(offset)
        )
        .scalars()
        .all()
    )
    if not page:
        return []
    # FTS5 would run the query once per post of "rowid IN", gathering every word of the prefix
    # each time; over the range of the page's rowids it runs once.
    among = sa.and_(_id_column().between(min(page), max(page)), Post.id.in_(page))
    snippet = sa.literal_column(f"snippet({TABLE}, -1, char(2), char(3), '…', 24)")
    statement = (
        sa.select(*_hit_columns(), Thread.title, _author_name(), snippet.label("snippet"))
        .select_from(table)
        .join(Post, Post.id == _id_column())
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(sa.text(f"{TABLE} MATCH :match").bindparams(match=match), among)
    )
    found = {row.id: row for row in db.session.execute(statement)}
    return [found[post_id] for post_id in page if post_id in found]


def _completions(prefix: str) -> list[str] | None:
    """The indexed words that begin with ``prefix``; None to leave the prefix to the index.

    The last word of a search is a prefix. A GIN index answers ``word:*`` by first gathering
    every row of every word it stands for: with a common word ("bank records" → ``records:*``,
    in 5 % of posts) that alone costs tens of milliseconds at a million posts, where the same
    words spelled out let the index step through them alongside the other words. An empty
    list: no indexed word begins so, nothing can match. Only plain ASCII words, which the
    "simple" parser keeps whole and merely lower-cases. PostgreSQL only: SQLite's fts5vocab
    counts a word's rows to list it, which costs as much as the prefix.
    """
    if not (prefix.isascii() and prefix.isalnum()):
        return None
    low = prefix.lower()
    high = low[:-1] + chr(ord(low[-1]) + 1)
    found = (
        db.session.execute(
            sa.text(
                f"SELECT word FROM {WORDS_TABLE} WHERE word >= :low AND word < :high"
                " ORDER BY word LIMIT :n"
            ),
            {"low": low, "high": high, "n": MAX_COMPLETIONS + 1},
        )
        .scalars()
        .all()
    )
    return None if len(found) > MAX_COMPLETIONS else found


def _tsquery(words: list[str]) -> tuple[str, dict] | None:
    """``words`` as PostgreSQL tsquery SQL and its parameters, the last word a prefix; None
    when nothing can match. The completions are cast, not parsed: they are lexemes already."""
    completions = _completions(words[-1])
    if completions is None:
        return "to_tsquery('simple', :tsquery)", {
            "tsquery": " & ".join([*words[:-1], words[-1] + ":*"])
        }
    if not completions:
        return None
    words_of = {"completions": " | ".join(_quoted_lexeme(w) for w in completions)}
    if len(words) == 1:
        return "CAST(:completions AS tsquery)", words_of
    return (
        "(to_tsquery('simple', :tsquery) && CAST(:completions AS tsquery))",
        {"tsquery": " & ".join(words[:-1]), **words_of},
    )


def _quoted_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _postgres_rows(user, words, filters, limit, offset):
    tsquery = _tsquery(words)
    if tsquery is None:
        return []
    query_fn = sa.text(tsquery[0]).bindparams(**tsquery[1])
    # With filters the matches are fewer, and the planner may start from an author's posts.
    floor = _window_floor(*tsquery) if filters == Filters() else None
    rows = _postgres_page(user, filters, query_fn, floor, limit, offset)
    if floor is not None and len(rows) < limit:
        # The window held too few readable matches (a rough estimate, selective filters,
        # a far page): rank them all.
        rows = _postgres_page(user, filters, query_fn, None, limit, offset)
    return rows


def _postgres_page(user, filters, query_fn, floor, limit, offset):
    """The page of readable matches by rank, of the posts from ``floor`` on if given.

    With a floor the matches of the window are ranked first, from the index table alone, and
    the join to posts and threads walks them best first until it has the page: with a common
    word nearly every match is readable. Without one the planner is free (to start from an
    author's posts, say).
    """
    document = sa.literal_column(f"{TABLE}.document")
    matches = (
        sa.select(
            _id_column().label("post_id"),
            sa.func.ts_rank_cd(document, query_fn).label("rank"),
        )
        .select_from(sa.table(TABLE))
        .where(document.op("@@")(query_fn))
    )
    if floor is not None:
        # OFFSET 0 keeps the subquery, and so its order, apart from the outer query.
        matches = matches.where(_id_column() >= floor)
        matches = matches.order_by(sa.desc("rank"), _id_column().desc()).offset(0)
    matches = matches.subquery("matches")
    ranked = (
        _filtered(
            sa.select(*_hit_columns(), Thread.title, matches.c.rank).select_from(matches),
            user,
            filters,
            matches.c.post_id,
        )
        .order_by(matches.c.rank.desc(), matches.c.post_id.desc())
        .limit(limit)
        .offset(offset)
        .subquery("ranked")
    )
    options = f"StartSel={_START},StopSel={_STOP},MaxFragments=2,MaxWords=24,MinWords=8"
    snippet = sa.func.ts_headline(
        "simple",
        sa.func.concat_ws(" — ", sa.literal_column("ps.title"), sa.literal_column("ps.body")),
        query_fn,
        options,
    )
    statement = (
        sa.select(*_hit_columns(ranked.c), ranked.c.title, _author_name(), snippet.label("snippet"))
        .select_from(ranked)
        .join(sa.table(TABLE).alias("ps"), sa.literal_column("ps.post_id") == ranked.c.id)
        .outerjoin(User, User.id == ranked.c.author_id)
        .order_by(ranked.c.rank.desc(), ranked.c.id.desc())
    )
    return db.session.execute(statement).all()


def _window_floor(tsquery: str, parameters: dict) -> int | None:
    """Lowest post id of the newest posts expected to hold ``RANKED_MATCHES`` matches.

    The GIN index finds every match at once, in no order, and PostgreSQL then reads each one's
    row to rank it; for a word in 2 % of a million posts that is ~20,000 row reads, most of
    the time of the query. The planner's estimate of the matches (from its statistics of
    common words) tells when a query is that broad; a range of post ids, combined with the
    GIN index (BitmapAnd), then reads the newest part only. None when reading every match
    costs less than scanning the range.
    """
    plan = db.session.execute(
        sa.text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE document @@ {tsquery}"),
        parameters,
    ).scalar_one()
    estimate = plan[0]["Plan"]["Plan Rows"]
    if estimate <= WINDOW_FACTOR * RANKED_MATCHES:
        return None
    low, high = db.session.execute(sa.text(f"SELECT min(post_id), max(post_id) FROM {TABLE}")).one()
    if high is None:
        return None
    return high - int((high - low) * RANKED_MATCHES / estimate)
