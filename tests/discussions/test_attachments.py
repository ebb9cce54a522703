"""The attachment store: allowed types by content, not by name; random names outside the web
root; size limit; downloads with attachment disposition, nosniff and a sandboxing CSP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.discussions import actions
from forum.discussions.attachments import AttachmentError
from forum.discussions.attachments import store_upload
from forum.discussions.attachments import stored_path
from forum.discussions.models import Attachment
from forum.discussions.models import Post
from forum.extensions import db
from tests.discussions.helpers import PDF
from tests.discussions.helpers import PNG
from tests.discussions.helpers import docx_bytes
from tests.discussions.helpers import form_file
from tests.discussions.helpers import odt_bytes
from tests.discussions.helpers import upload


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", PDF),
        ("a.png", PNG),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("a.gif", b"GIF89a" + b"\x00" * 10),
        ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20),
        ("a.docx", docx_bytes()),
        ("a.odt", odt_bytes()),
        ("notes.txt", "Procès-verbal\n".encode()),
    ],
)
def test_accepted_when_content_matches(app, alice, name, content):
    attachment = store_upload(upload(name, content), alice)
    assert stored_path(attachment).read_bytes() == content
    assert attachment.stored_name != name and len(attachment.stored_name) >= 32
    assert str(app.config["ATTACHMENT_DIR"]) in str(stored_path(attachment))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("fake.pdf", b"<html><script>alert(1)</script></html>"),
        ("fake.png", PDF),
        ("fake.docx", b"PK\x03\x04 not really a zip"),
        ("fake.odt", docx_bytes()),
        ("binary.txt", b"abc\x00def"),
        ("latin1.txt", "café".encode("latin-1")),
        ("page.html", b"<html></html>"),
        ("image.svg", b"<svg onload=alert(1)/>"),
        ("program.exe", b"MZ\x90\x00"),
        ("empty.pdf", b""),
    ],
)
def test_refused_when_content_or_type_is_wrong(app, alice, name, content, tmp_path):
    with pytest.raises(AttachmentError):
        store_upload(upload(name, content), alice)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    folder = tmp_path / "attachments"
    assert not folder.exists() or not any(folder.iterdir())


def test_size_limit(app, alice):
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    with pytest.raises(AttachmentError) as refused:
        store_upload(upload("big.pdf", PDF + b"x" * 200), alice)
    assert refused.value.status == 413


def test_mismatched_upload_refuses_the_whole_reply_and_keeps_the_text(general, alice, client_for):
    thread = actions.do_create_thread(alice, general, "Title here", "start")
    answer = client_for(alice).post(
        f"/discussions/t/{thread.id}/reply",
        data={"body": "See the attached report", "files": [form_file("report.pdf", b"MZ...")]},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "does not match its extension" in answer.text
    assert "See the attached report" in answer.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1


def test_download_headers(general, alice, client_for):
    thread = actions.do_create_thread(
        alice, general, "Title here", "start", files=[upload("Ordre de gel.pdf", PDF)]
    )
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.post_id is not None and thread.id
    answer = client_for(alice).get(f"/discussions/attachments/{attachment.id}")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Content-Type"] == "application/pdf"
    answer.close()


def _stored_files(tmp_path) -> list:
    folder = tmp_path / "attachments"
    return sorted(folder.iterdir()) if folder.exists() else []


def _attachment_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment))


def test_a_refused_second_file_takes_the_stored_first_one_with_it(
    general, alice, client_for, tmp_path
):
    """No partial write: the good first file was already on disk when the second failed."""
    thread = actions.do_create_thread(alice, general, "Title here", "start")
    answer = client_for(alice).post(
        f"/discussions/t/{thread.id}/reply",
        data={
            "body": "Two files",
            "files": [form_file("good.pdf", PDF), form_file("forged.pdf", b"MZ...")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "Two files" in answer.text
    assert _stored_files(tmp_path) == []
    assert _attachment_count() == 0


def test_a_new_thread_whose_second_file_fails_stores_nothing(general, alice, client_for, tmp_path):
    answer = client_for(alice).post(
        "/discussions/new",
        data={
            "category": str(general.id),
            "title": "With files",
            "body": "Both attached",
            "files": [form_file("good.png", PNG), form_file("bad.docx", b"not a zip")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert _stored_files(tmp_path) == []
    assert _attachment_count() == 0


def test_a_failure_after_the_files_are_stored_removes_them(
    general, alice, client_for, tmp_path, monkeypatch
):
    """Any error before the commit (here, in the notifications step) leaves no file behind."""
    thread = actions.do_create_thread(alice, general, "Title here", "start")

    def broken(*args, **kwargs):
        raise RuntimeError("notification queue down")

    monkeypatch.setattr("forum.discussions.notifications.queue_for_post", broken)
    answer = client_for(alice).post(
        f"/discussions/t/{thread.id}/reply",
        data={"body": "Files", "files": [form_file("a.pdf", PDF), form_file("b.png", PNG)]},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 500
    assert _stored_files(tmp_path) == []
    assert _attachment_count() == 0


def test_committed_files_stay(general, alice, tmp_path):
    actions.do_create_thread(
        alice, general, "Title here", "start", files=[upload("a.pdf", PDF), upload("b.png", PNG)]
    )
    db.session.rollback()  # a later transaction ending without commit leaves them alone
    assert len(_stored_files(tmp_path)) == 2
    assert _attachment_count() == 2
