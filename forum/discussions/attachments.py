"""The attachment store, shared by discussions and chat.

Public API (names are stable; other areas call these):

``store_upload(file, uploader) -> Attachment``
    Check a werkzeug ``FileStorage`` (extension allowed, size within
    ``ATTACHMENT_MAX_BYTES``, content matching the extension by its magic numbers), write it
    outside the web root (``ATTACHMENT_DIR``) under a random name, and add an
    :class:`Attachment` to the session (flushed, not committed: the caller commits it with the
    post or message it belongs to). Raises :class:`AttachmentError` with a message for the user.

``send_attachment(attachment) -> Response``
    The download response: ``Content-Disposition: attachment``, ``nosniff``, a sandboxing CSP
    and no caching. The caller checks access first (object-level, 404 when not allowed).

``delete_stored_file(attachment)`` removes the file from disk (after the row is deleted).

All or nothing: a stored file belongs to the transaction that registered it. When that
transaction commits, the file stays; when it ends any other way (rollback after a refused
second file, an exception at commit, a request torn down mid-way), the file is removed, so a
failed reply, thread, chat message or resource never leaves orphans on disk. Callers need
no clean-up code of their own (savepoints are not tracked separately: the outermost
transaction decides).

The content check works without third-party services: PDF, PNG, JPEG, GIF and WebP by their
signatures, OOXML and OpenDocument as ZIP files with the members their formats require,
legacy Office files by the OLE2 signature, plain text as valid UTF-8 without NUL bytes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask import send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from forum.auth.actions import ActionError
from forum.discussions.models import Attachment
from forum.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_CSP = "default-src 'none'; sandbox"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_PREFIX = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF_MIMETYPE = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
# Extension -> the content type we serve it with. SVG and HTML are deliberately absent:
# both can carry script.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": _ODF_MIMETYPE["odt"],
    "ods": _ODF_MIMETYPE["ods"],
    "odp": _ODF_MIMETYPE["odp"],
}
ALLOWED_EXTENSIONS = frozenset(CONTENT_TYPES)


# Session.info key: the files written during the current transaction, not yet committed.
_UNCOMMITTED = "liaison.uncommitted_files"


class AttachmentError(ActionError):
    """The upload was refused; ``message`` tells the user why."""


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_dir() -> Path:
    """Outside the web root: the instance folder unless ATTACHMENT_DIR says otherwise."""
    configured = current_app.config.get("ATTACHMENT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def clean_filename(filename: str) -> str:
    """The name shown and offered on download: no path, no control characters, bounded."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot else name[:200]
    return name or "attachment"


def _zip_members(path: Path) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None


def _is_ooxml(path: Path, ext: str) -> bool:
    archive = _zip_members(path)
    if archive is None:
        return False
    with archive:
        names = archive.namelist()
    return "[Content_Types].xml" in names and any(n.startswith(_OOXML_PREFIX[ext]) for n in names)


def _is_odf(path: Path, ext: str) -> bool:
    archive = _zip_members(path)
    if archive is None:
        return False
    with archive:
        try:
            mimetype = archive.read("mimetype")[:100]
        except KeyError:
            return False
    return mimetype.strip() == _ODF_MIMETYPE[ext].encode()


def _is_text(path: Path) -> bool:
    data = path.read_bytes()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def content_matches(path: Path, ext: str) -> bool:
    """True when the bytes at ``path`` are what the extension claims."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if ext == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext in ("doc", "xls", "ppt"):
        return head.startswith(_OLE2)
    if ext in _OOXML_PREFIX:
        return _is_ooxml(path, ext)
    if ext in _ODF_MIMETYPE:
        return _is_odf(path, ext)
    if ext in ("txt", "csv", "md"):
        return _is_text(path)
    return False


def check_upload(file: FileStorage) -> str:
    """The cleaned filename, or AttachmentError before anything is written."""
    if file is None or not file.filename:
        raise AttachmentError(_("Choose a file to attach."))
    name = clean_filename(file.filename)
    if extension_of(name) not in ALLOWED_EXTENSIONS:
        raise AttachmentError(
            _(
                "Files of this type cannot be attached. Allowed: %(types)s.",
                types=", ".join(sorted(ALLOWED_EXTENSIONS)),
            )
        )
    return name


def store_upload(file: FileStorage, uploader) -> Attachment:
    """Check, write and register one upload; see the module docstring."""
    name = check_upload(file)
    ext = extension_of(name)
    limit = max_bytes()
    stored_name = secrets.token_urlsafe(24)
    path = storage_dir() / stored_name
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("xb") as out:
            while chunk := file.stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise AttachmentError(
                        _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)), 413
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise AttachmentError(_("The file is empty."))
        if not content_matches(path, ext):
            raise AttachmentError(
                _("The content of %(name)s does not match its extension.", name=name)
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)
    db.session.info.setdefault(_UNCOMMITTED, []).append(path)
    attachment = Attachment(
        uploader_id=getattr(uploader, "id", None),
        original_name=name,
        stored_name=stored_name,
        content_type=CONTENT_TYPES[ext],
        size=size,
        sha256=digest.hexdigest(),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


@sa.event.listens_for(so.Session, "after_commit")
def _keep_committed_files(session: so.Session) -> None:
    session.info.pop(_UNCOMMITTED, None)


@sa.event.listens_for(so.Session, "after_transaction_end")
def _remove_uncommitted_files(session: so.Session, transaction: so.SessionTransaction) -> None:
    """The outermost transaction ended without a commit: its files go with it."""
    if transaction.parent is None:
        for path in session.info.pop(_UNCOMMITTED, ()):
            path.unlink(missing_ok=True)


def stored_path(attachment: Attachment) -> Path:
    return storage_dir() / attachment.stored_name


def send_attachment(attachment: Attachment):
    """The download response for an attachment the caller has already authorised."""
    response = send_file(
        stored_path(attachment),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def delete_stored_file(attachment: Attachment) -> None:
    stored_path(attachment).unlink(missing_ok=True)
