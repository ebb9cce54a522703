"""Pieces of discussions pages, each rendered once per distinct input and then reused.

A page of 100 posts through Jinja costs milliseconds; most of it is the same for every
reader. Each post's HTML is memoised in a bounded per-process LRU whose key holds *every*
input of ``templates/discussions/_post.html``: the post's query rows (its text, author's
name and State, edit count, deleted/hidden marks and reason, quoted number, attachments),
the reader's relation to it (own post, unread, staff, may reply), the page, the locale and
the time zone. The key is the content, so nothing needs invalidating: an edit, a hide, a
delete or a renamed author is a different key, in every process. The only per-reader
secret, the CSRF token, is not cached (``forum.fragments.CSRF_SLOT``).

The blank reply form under the posts is the same for every reader of a thread in one
language (its fields' labels and limits come from code), so it is kept too, as are the
discussions menu and the notification setting form (per target, level and language). Rows
of thread lists are kept the same way, keyed by all they show (the reader's read mark
included): readers who have not opened a thread share its row.
"""

from __future__ import annotations

import functools

from flask import current_app
from flask import request
from flask_babel import get_locale
from flask_babel import get_timezone
from markupsafe import Markup

from forum.countries import state_name
from forum.fragments import CSRF_SLOT
from forum.fragments import with_csrf_token

CACHE_SIZE = 4096


@functools.lru_cache(maxsize=CACHE_SIZE)
def _fragment(key) -> str:
    rows, own, unread, page_key = key
    thread_id, page, can_reply, staff, _locale, _timezone = page_key
    macro = current_app.jinja_env.get_template("discussions/_post.html").module.post
    return str(macro(rows, own, unread, thread_id, page, can_reply, staff, CSRF_SLOT, state_name))


def render_posts(rows, *, user, thread_id: int, page: int, last_read: int, can_reply: bool):
    """The HTML of a page of posts (``queries.post_rows``) as ``user`` may see it."""
    page_key = (
        thread_id,
        page,
        can_reply,
        user.is_staff,
        str(get_locale()),
        str(get_timezone()),
    )
    user_id = user.id
    # The rows of each post together: one per attachment, or one.
    groups: list[tuple] = []
    last_id = None
    for row in rows:
        if row.id == last_id:
            groups[-1] += (row,)
        else:
            groups.append((row,))
            last_id = row.id
    html = "".join(
        [
            _fragment((group, group[0].author_id == user_id, group[0].number > last_read, page_key))
            for group in groups
        ]
    )
    return with_csrf_token(html)


@functools.lru_cache(maxsize=1024)
def _blank_reply_form(thread_id: int, _locale: str) -> str:
    from forum.discussions.forms import ReplyForm

    macro = current_app.jinja_env.get_template("discussions/_reply_form.html").module.reply_form
    return str(macro(ReplyForm(formdata=None, meta={"csrf": False}), thread_id, CSRF_SLOT))


def blank_reply_form(thread_id: int) -> Markup:
    """The empty reply form of a thread, rendered once per thread and language."""
    html = _blank_reply_form(thread_id, str(get_locale()))
    return with_csrf_token(html)


@functools.lru_cache(maxsize=64)
def _nav(_locale: str, _script_root: str) -> str:
    return current_app.jinja_env.get_template("discussions/_nav.html").render()


def nav() -> Markup:
    """The discussions menu: the same for every reader in one language."""
    return Markup(_nav(str(get_locale()), request.script_root))


@functools.lru_cache(maxsize=4096)
def _subscription_form(action: str, level: str | None, _locale: str) -> str:
    template = current_app.jinja_env.get_template("discussions/_subscription.html")
    return str(template.module.subscription_form(action, level, CSRF_SLOT))


def subscription_form(action: str, level: str | None) -> Markup:
    """A thread's or category's notification setting form, for this reader's ``level``."""
    html = _subscription_form(action, level, str(get_locale()))
    return with_csrf_token(html)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _thread_row(key) -> str:
    row, _locale, _timezone = key
    macro = current_app.jinja_env.get_template("discussions/_thread_row.html").module.thread_row
    return str(macro(row))


def thread_rows(rows) -> Markup:
    """The rows of a thread list (``queries.ThreadRow``, the reader's read mark included)."""
    locale, zone = str(get_locale()), str(get_timezone())
    return Markup("".join([_thread_row((row, locale, zone)) for row in rows]))


def cache_info():
    return _fragment.cache_info()


def clear_cache() -> None:
    for cached in (_fragment, _blank_reply_form, _nav, _subscription_form, _thread_row):
        cached.cache_clear()
