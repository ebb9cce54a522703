"""Who hears about a post, in the app and by e-mail (immediately, daily digest, or never).

Recipients are computed in SQL with the same read rule as the thread page, so nobody outside a
space is ever notified of it; the rule is checked again when e-mail goes out (a membership may
have ended in between). E-mails about threads in a space carry no title or text, only a link.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import external_url
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.discussions.models import EmailMode
from forum.discussions.models import Notification
from forum.discussions.models import NotificationKind
from forum.discussions.models import NotificationSetting
from forum.discussions.models import Post
from forum.discussions.models import Subscription
from forum.discussions.models import SubscriptionLevel
from forum.discussions.models import Thread
from forum.discussions.permissions import readable_by_user_column
from forum.discussions.permissions import readable_threads_clause
from forum.extensions import db

DEFAULT_EMAIL_MODE = EmailMode.DAILY
# A digest goes out at most this often per user, however often cron runs.
DIGEST_INTERVAL = timedelta(hours=20)


def _readers(thread: Thread, conditions) -> list[int]:
    """Ids of active users matching ``conditions`` who may read ``thread``."""
    return list(
        db.session.scalars(
            sa.select(User.id)
            .join(Thread, Thread.id == thread.id)
            .where(
                User.status == Status.ACTIVE,
                readable_by_user_column(User.id, User.role),
                *conditions,
            )
        )
    )


def queue_for_post(post: Post, author, mentioned: list[User], quote_of: Post | None) -> None:
    """Add in-app notifications for one new post (mentioned users are readers already)."""
    thread = post.thread
    recipients: dict[int, str] = {}
    for user in mentioned:
        recipients[user.id] = NotificationKind.MENTION
    if quote_of is not None and quote_of.author_id:
        for user_id in _readers(thread, [User.id == quote_of.author_id]):
            recipients.setdefault(user_id, NotificationKind.QUOTE)
    muted = sa.select(Subscription.user_id).where(
        Subscription.thread_id == thread.id, Subscription.level == SubscriptionLevel.MUTE
    )
    watching = sa.select(Subscription.user_id).where(
        Subscription.level == SubscriptionLevel.WATCH,
        sa.or_(Subscription.thread_id == thread.id, Subscription.category_id == thread.category_id),
    )
    kind = NotificationKind.NEW_THREAD if post.number == 1 else NotificationKind.REPLY
    for user_id in _readers(thread, [User.id.in_(watching), User.id.not_in(muted)]):
        recipients.setdefault(user_id, kind)
    recipients.pop(author.id, None)
    for user_id, reason in recipients.items():
        db.session.add(
            Notification(
                user_id=user_id,
                kind=reason,
                actor_id=author.id,
                thread_id=thread.id,
                post_id=post.id,
            )
        )


def email_mode(user_id: int) -> str:
    setting = db.session.get(NotificationSetting, user_id)
    return setting.email_mode if setting else DEFAULT_EMAIL_MODE.value


def set_email_mode(user, mode: str) -> None:
    mode = EmailMode(mode).value
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        db.session.add(NotificationSetting(user_id=user.id, email_mode=mode))
    else:
        setting.email_mode = mode
    db.session.commit()


def _mode_column():
    return sa.func.coalesce(NotificationSetting.email_mode, DEFAULT_EMAIL_MODE.value)


def _pending_query(*conditions):
    """Unread, not yet e-mailed notifications whose thread the recipient may still read."""
    return (
        sa.select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .join(Thread, Thread.id == Notification.thread_id)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(
            Notification.read_at.is_(None),
            Notification.emailed_at.is_(None),
            User.status == Status.ACTIVE,
            readable_by_user_column(User.id, User.role),
            *conditions,
        )
        .order_by(User.id, Notification.id)
    )


def describe(notification: Notification) -> str:
    actor = notification.actor.display_name if notification.actor else _("Someone")
    texts = {
        NotificationKind.MENTION: _("%(actor)s mentioned you", actor=actor),
        NotificationKind.QUOTE: _("%(actor)s quoted your post", actor=actor),
        NotificationKind.REPLY: _("%(actor)s replied", actor=actor),
        NotificationKind.NEW_THREAD: _("%(actor)s started a thread", actor=actor),
    }
    return texts.get(notification.kind, _("New activity"))


def _items(notifications: list[Notification]) -> list[dict]:
    """What an e-mail may say: the thread title only outside private spaces."""
    return [
        {
            "text": describe(n),
            "title": n.thread.title if n.thread.space_id is None else _("a thread in a space"),
            "link": external_url("discussions.post_link", post_id=n.post_id),
        }
        for n in notifications
    ]


def deliver_immediate(post: Post | None = None) -> int:
    """E-mail the just-created notifications of users who want them immediately."""
    conditions = [_mode_column() == EmailMode.IMMEDIATELY.value]
    if post is not None:
        conditions.append(Notification.post_id == post.id)
    rows = db.session.execute(_pending_query(*conditions)).all()
    now = utcnow()
    for notification, user in rows:
        mail.send(
            user.email,
            _("Liaison: new activity"),
            "discussion_notification",
            user=user,
            items=_items([notification]),
            settings_link=external_url("discussions.settings"),
        )
        notification.emailed_at = now
    if rows:
        db.session.commit()
    return len(rows)


def send_digests(now=None) -> int:
    """One e-mail per daily-digest user with pending notifications; returns how many were sent."""
    now = now or utcnow()
    rows = db.session.execute(_pending_query(_mode_column() == EmailMode.DAILY.value)).all()
    by_user: dict[int, tuple[User, list[Notification]]] = {}
    for notification, user in rows:
        by_user.setdefault(user.id, (user, []))[1].append(notification)
    sent = 0
    for user_id, (user, items) in by_user.items():
        setting = db.session.get(NotificationSetting, user_id)
        if (
            setting is not None
            and setting.last_digest_at
            and (now - setting.last_digest_at < DIGEST_INTERVAL)
        ):
            continue
        mail.send(
            user.email,
            _("Liaison: your daily summary"),
            "discussion_digest",
            user=user,
            items=_items(items),
            settings_link=external_url("discussions.settings"),
        )
        for notification in items:
            notification.emailed_at = now
        if setting is None:
            setting = NotificationSetting(user_id=user_id, email_mode=DEFAULT_EMAIL_MODE.value)
            db.session.add(setting)
        setting.last_digest_at = now
        sent += 1
    db.session.commit()
    return sent


def visible_query(user):
    """The user's notifications on threads they may still read, newest first."""
    return (
        sa.select(Notification)
        .join(Thread, Thread.id == Notification.thread_id)
        .where(Notification.user_id == user.id, readable_threads_clause(user))
        .order_by(Notification.id.desc())
    )


def unread_count_query(user, now=None) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .join(Thread, Thread.id == Notification.thread_id)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            readable_threads_clause(user, now),
        )
    )


def unread_count(user) -> int:
    return db.session.scalar(unread_count_query(user))


def mark_thread_read(user, thread: Thread) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.thread_id == thread.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


def mark_all_read(user) -> None:
    mark_thread_read_all = (
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.execute(mark_thread_read_all)
    db.session.commit()
