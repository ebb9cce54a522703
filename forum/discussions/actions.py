"""Thread and post business rules: ``check_*`` validate, ``do_*`` write, audit and commit once.

A post's HTML is rendered here, once; mentions resolve only to members who can read the
thread, so a mention never tells anyone outside a space that the thread exists.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.discussions import markdown
from forum.discussions import notifications
from forum.discussions import search
from forum.discussions.attachments import store_upload
from forum.discussions.models import CaseExample
from forum.discussions.models import Category
from forum.discussions.models import Post
from forum.discussions.models import PostRevision
from forum.discussions.models import Space
from forum.discussions.models import Subscription
from forum.discussions.models import SubscriptionLevel
from forum.discussions.models import Thread
from forum.discussions.models import ThreadKind
from forum.discussions.models import ThreadRead
from forum.discussions.permissions import can_delete_post
from forum.discussions.permissions import can_edit_post
from forum.discussions.permissions import can_reply
from forum.discussions.permissions import can_write_in_space
from forum.discussions.permissions import readable_by_user_column
from forum.extensions import db
from forum.security import audit

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_FILES = 5


def check_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ActionError(_("Give the thread a title of at least 3 characters."))
    if len(title) > MAX_TITLE:
        raise ActionError(_("The title is too long (at most %(n)s characters).", n=MAX_TITLE))
    return title


def check_body(body: str | None) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ActionError(_("Write something before sending."))
    if len(body) > MAX_BODY:
        raise ActionError(_("The text is too long (at most %(n)s characters).", n=MAX_BODY))
    return body


def _real_files(files) -> list:
    return [f for f in (files or []) if f is not None and f.filename]


def check_files(files) -> list:
    files = _real_files(files)
    if len(files) > MAX_FILES:
        raise ActionError(_("Attach at most %(n)s files at a time.", n=MAX_FILES))
    return files


def readers_among(thread: Thread, emails: list[str]) -> list[User]:
    """The active members with these addresses who may read ``thread`` (one query)."""
    if not emails:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Thread, Thread.id == thread.id)
            .where(
                User.email.in_(emails),
                User.status == Status.ACTIVE,
                readable_by_user_column(User.id, User.role),
            )
            .order_by(User.id)
        )
    )


def _render(thread: Thread, body: str) -> tuple[str, list[User]]:
    mentioned = readers_among(thread, markdown.mentioned_emails(body))
    names = {u.email: (u.display_name or u.email) for u in mentioned}
    return markdown.render(body, names), mentioned


def _subscribe(user_id: int, thread: Thread) -> None:
    """Posting or being mentioned watches the thread, unless the user has chosen already."""
    existing = db.session.scalar(
        sa.select(Subscription.id).where(
            Subscription.user_id == user_id, Subscription.thread_id == thread.id
        )
    )
    if existing is None:
        db.session.add(
            Subscription(user_id=user_id, thread_id=thread.id, level=SubscriptionLevel.WATCH)
        )


def _add_post(author, thread: Thread, body: str, files, quote_of: Post | None) -> Post:
    html, mentioned = _render(thread, body)
    now = utcnow()
    thread.post_count += 1
    thread.last_post_at = now
    post = Post(
        thread=thread,
        number=thread.post_count,
        author_id=author.id,
        quote_of_id=quote_of.id if quote_of else None,
        body=body,
        html=html,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    for file in files:
        attachment = store_upload(file, author)
        attachment.post_id = post.id
    search.sync_post(post)
    _subscribe(author.id, thread)
    for user in mentioned:
        if user.id != author.id:
            _subscribe(user.id, thread)
    _mark_read(author.id, thread.id, post.number)
    notifications.queue_for_post(post, author, mentioned, quote_of)
    return post


def do_create_thread(
    author,
    category: Category,
    title: str,
    body: str,
    *,
    space: Space | None = None,
    files=None,
    case_fields: dict | None = None,
) -> Thread:
    title = check_title(title)
    body = check_body(body)
    files = check_files(files)
    if category is None:
        raise ActionError(_("Choose a category."))
    if not can_write_in_space(author, space):
        raise ActionError(_("Not found."), 404)
    thread = Thread(
        category_id=category.id,
        space_id=space.id if space else None,
        author_id=author.id,
        title=title,
        kind=ThreadKind.CASE if case_fields is not None else ThreadKind.DISCUSSION,
    )
    db.session.add(thread)
    db.session.flush()
    if case_fields is not None:
        db.session.add(CaseExample(thread_id=thread.id, **case_fields))
    try:
        post = _add_post(author, thread, body, files, None)
    except ActionError:
        db.session.rollback()
        raise
    audit.record("discussions.thread_created", actor=author, target=thread, post_id=post.id)
    db.session.commit()
    notifications.deliver_immediate(post)
    return thread


def do_reply(author, thread: Thread, body: str, *, files=None, quote_of: Post | None = None):
    body = check_body(body)
    files = check_files(files)
    if not can_reply(author, thread):
        raise ActionError(_("This thread does not accept replies."), 403)
    if quote_of is not None and (quote_of.thread_id != thread.id or not quote_of.is_visible_to_all):
        quote_of = None
    try:
        post = _add_post(author, thread, body, files, quote_of)
    except ActionError:
        db.session.rollback()
        raise
    audit.record("discussions.post_created", actor=author, target=post, thread_id=thread.id)
    db.session.commit()
    notifications.deliver_immediate(post)
    return post


def do_edit_post(editor, post: Post, body: str, *, title: str | None = None) -> Post:
    """Change a post's text; the previous text is kept as a revision anyone can compare."""
    body = check_body(body)
    if not can_edit_post(editor, post):
        raise ActionError(_("You cannot edit this post."), 403)
    new_title = check_title(title) if (title is not None and post.number == 1) else None
    if body == post.body and (new_title is None or new_title == post.thread.title):
        return post
    if body != post.body:
        db.session.add(
            PostRevision(
                post_id=post.id, editor_id=editor.id, body_before=post.body, body_after=body
            )
        )
        post.html, _mentioned = _render(post.thread, body)
        post.body = body
        post.edited_at = utcnow()
        post.edit_count += 1
    if new_title is not None and new_title != post.thread.title:
        post.thread.title = new_title
    search.sync_post(post)
    audit.record("discussions.post_edited", actor=editor, target=post, revision=post.edit_count)
    db.session.commit()
    return post


def do_delete_post(actor, post: Post) -> None:
    """Soft delete by its author: the text stays for moderators, gone for everyone else."""
    if not can_delete_post(actor, post):
        raise ActionError(_("You cannot delete this post."), 403)
    post.deleted_at = utcnow()
    search.sync_post(post)
    audit.record("discussions.post_deleted", actor=actor, target=post)
    db.session.commit()


def _mark_read(user_id: int, thread_id: int, number: int) -> None:
    record = db.session.get(ThreadRead, (user_id, thread_id))
    if record is None:
        db.session.add(ThreadRead(user_id=user_id, thread_id=thread_id, last_read_number=number))
    elif number > record.last_read_number:
        record.last_read_number = number
        record.last_visit_at = utcnow()


def record_reading(user, thread: Thread, up_to_number: int) -> None:
    """Bookkeeping of what the reader has seen: read marks and that thread's notifications."""
    _mark_read(user.id, thread.id, up_to_number)
    notifications.mark_thread_read(user, thread)
    db.session.commit()


def do_set_subscription(user, *, level: str | None, thread=None, category=None) -> None:
    """Watch, mute, or return to normal (``level=None``) for one thread or category."""
    if level is not None:
        level = SubscriptionLevel(level).value
    column = Subscription.thread_id if thread is not None else Subscription.category_id
    target = thread if thread is not None else category
    existing = db.session.scalar(
        sa.select(Subscription).where(Subscription.user_id == user.id, column == target.id)
    )
    if level is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(
            Subscription(
                user_id=user.id,
                thread_id=thread.id if thread is not None else None,
                category_id=category.id if category is not None else None,
                level=level,
            )
        )
    else:
        existing.level = level
    db.session.commit()
