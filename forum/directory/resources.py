"""The resources library: curated links and documents kept by moderators.

Documents go through the attachment store shared with discussions and chat
(:func:`forum.discussions.attachments.store_upload`): allowed types checked by content,
stored outside the web root under random names, and served only by the library's
members-only route with :func:`~forum.discussions.attachments.send_attachment`.
"""

from __future__ import annotations

from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.directory.models import Resource
from forum.directory.validation import URL_RE
from forum.directory.vocab import RESOURCE_CATEGORIES
from forum.directory.vocab import is_language
from forum.discussions.attachments import AttachmentError
from forum.discussions.attachments import delete_stored_file
from forum.discussions.attachments import send_attachment
from forum.discussions.attachments import store_upload
from forum.extensions import db
from forum.security import audit

__all__ = ["ActionError", "AttachmentError", "do_save", "do_delete", "send_attachment"]


def _has_file(document) -> bool:
    return document is not None and bool(getattr(document, "filename", ""))


def check_resource(data: dict, *, has_document: bool = False) -> dict:
    url = (data.get("url") or "").strip()
    # Only web links: a javascript: or data: address in the library would run in members' pages.
    if url and not URL_RE.match(url):
        raise ActionError(_("The address must start with https:// or http://."))
    if not url and not has_document:
        raise ActionError(_("Give an address, attach a document, or both."))
    if data.get("category") not in RESOURCE_CATEGORIES or not is_language(data.get("language")):
        raise ActionError(_("Choose a category and a language from the lists."))
    return {
        "title": data["title"].strip(),
        "url": url,
        "category": data["category"],
        "language": data["language"],
        "description": (data.get("description") or "").strip(),
    }


def do_save(actor, item: Resource | None, data: dict, document=None) -> Resource:
    """Create or update a resource; a new document replaces the previous one.

    The stored file, the row and the audit entry land together or not at all: a refused or
    failed save leaves no file behind (the attachment store removes uncommitted files).
    """
    new_file = _has_file(document)
    kept_file = item is not None and item.attachment_id is not None
    clean = check_resource(data, has_document=new_file or kept_file)
    created = item is None
    if created:
        item = Resource(created_by_id=actor.id)
        db.session.add(item)
    for name, value in clean.items():
        setattr(item, name, value)
    replaced = None
    if new_file:
        try:
            attachment = store_upload(document, actor)
        except AttachmentError:
            db.session.rollback()
            raise
        replaced = item.document
        item.document = attachment
    db.session.flush()
    details = {"title": item.title}
    if item.document is not None:
        details.update(attachment_id=item.attachment_id, document=item.document.original_name)
    if replaced is not None:
        details["replaced_attachment_id"] = replaced.id
        db.session.delete(replaced)
    audit.record(
        "directory.resource_" + ("created" if created else "updated"),
        actor=actor,
        target=item,
        **details,
    )
    db.session.commit()
    if replaced is not None:
        delete_stored_file(replaced)
    return item


def do_delete(actor, item: Resource) -> None:
    document = item.document
    audit.record(
        "directory.resource_deleted",
        actor=actor,
        target=item,
        title=item.title,
        attachment_id=item.attachment_id,
    )
    db.session.delete(item)
    if document is not None:
        db.session.delete(document)
    db.session.commit()
    if document is not None:
        delete_stored_file(document)
