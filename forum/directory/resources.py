"""The resources library: curated links kept by moderators."""

from __future__ import annotations

from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.directory.models import Resource
from forum.directory.validation import URL_RE
from forum.directory.vocab import RESOURCE_CATEGORIES
from forum.directory.vocab import is_language
from forum.extensions import db
from forum.security import audit

__all__ = ["ActionError", "do_save", "do_delete"]


def check_resource(data: dict) -> dict:
    url = (data.get("url") or "").strip()
    # Only web links: a javascript: or data: address in the library would run in members' pages.
    if not URL_RE.match(url):
        raise ActionError(_("The address must start with https:// or http://."))
    if data.get("category") not in RESOURCE_CATEGORIES or not is_language(data.get("language")):
        raise ActionError(_("Choose a category and a language from the lists."))
    return {
        "title": data["title"].strip(),
        "url": url,
        "category": data["category"],
        "language": data["language"],
        "description": (data.get("description") or "").strip(),
    }


def do_save(actor, item: Resource | None, data: dict) -> Resource:
    clean = check_resource(data)
    created = item is None
    if created:
        item = Resource(created_by_id=actor.id)
        db.session.add(item)
    for name, value in clean.items():
        setattr(item, name, value)
    db.session.flush()
    audit.record(
        "directory.resource_" + ("created" if created else "updated"),
        actor=actor,
        target=item,
        title=item.title,
    )
    db.session.commit()
    return item


def do_delete(actor, item: Resource) -> None:
    audit.record("directory.resource_deleted", actor=actor, target=item, title=item.title)
    db.session.delete(item)
    db.session.commit()
