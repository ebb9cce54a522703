"""Resources library documents: moderators upload them through the shared attachment store;
members download them through the library's own access-checked route; bad files are refused
with the form kept and nothing written; replacing or removing a document removes its file."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from forum.auth.models import Role
from forum.directory.models import Resource
from forum.discussions.models import Attachment
from forum.extensions import db
from forum.security.audit import AuditEvent
from tests.factories import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _storage(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "store")


def _stored(tmp_path) -> list:
    folder = tmp_path / "store"
    return sorted(folder.iterdir()) if folder.exists() else []


def _form(**fields) -> dict:
    form = {
        "title": "Model Law on Mutual Assistance in Criminal Matters",
        "url": "",
        "category": "model_law",
        "language": "en",
        "description": "Annotated, with commentary.",
    }
    form.update(fields)
    return form


def _post(client, url: str, form: dict, document: tuple[bytes, str] | None = None):
    data = dict(form)
    if document is not None:
        data["document"] = (io.BytesIO(document[0]), document[1])
    return client.post(url, data=data, content_type="multipart/form-data")


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def as_moderator(client, auth):
    auth.login(make_user(role=Role.MODERATOR))
    return client


@pytest.fixture
def document_resource(as_moderator, auth):
    answer = _post(as_moderator, "/directory/resources/new", _form(), (PDF, "model-law.pdf"))
    assert answer.status_code == 302, answer.text[:300]
    auth.logout()
    return db.session.scalar(sa.select(Resource))


def test_a_moderator_uploads_a_document(as_moderator, tmp_path):
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    answer = _post(as_moderator, "/directory/resources/new", _form(), (PDF, "model-law.pdf"))
    assert answer.status_code == 302
    item = db.session.scalar(sa.select(Resource))
    assert item.url == "" and item.document.original_name == "model-law.pdf"
    assert item.document.post_id is None
    [stored] = _stored(tmp_path)
    assert stored.read_bytes() == PDF and stored.name != "model-law.pdf"
    [entry] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > last))
    assert entry.action == "directory.resource_created"
    assert entry.details_dict["attachment_id"] == item.attachment_id
    page = as_moderator.get("/directory/resources")
    assert "Download the document" in page.text and "model-law.pdf" in page.text


def test_a_member_may_not_upload(client, auth, member, tmp_path):
    auth.login(member)
    answer = _post(client, "/directory/resources/new", _form(), (PDF, "model-law.pdf"))
    assert answer.status_code == 403
    assert _count(Resource) == 0 and _count(Attachment) == 0 and _stored(tmp_path) == []


def test_a_member_downloads_it(client, auth, member, document_resource):
    auth.login(member)
    answer = client.get(f"/directory/resources/{document_resource.id}/document")
    assert answer.status_code == 200
    assert answer.data == PDF
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert "model-law.pdf" in answer.headers["Content-Disposition"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Content-Type"] == "application/pdf"
    answer.close()


def test_only_the_library_route_serves_it(client, auth, member, document_resource):
    """The discussions download route serves post attachments only: a library file is not one."""
    auth.login(member)
    answer = client.get(f"/discussions/attachments/{document_resource.attachment_id}")
    assert answer.status_code == 404


def test_not_found_for_a_link_or_a_missing_resource(client, auth, member, document_resource):
    link = Resource(title="Link", url="https://example.org", category="tool", language="en")
    db.session.add(link)
    db.session.commit()
    auth.login(member)
    assert client.get(f"/directory/resources/{link.id}/document").status_code == 404
    assert (
        client.get(f"/directory/resources/{document_resource.id + 99}/document").status_code == 404
    )


def test_anonymous_gets_nothing_and_learns_nothing(client, document_resource):
    """Anonymous visitors are sent to the login page before any lookup: the answer for an
    existing document and for a missing one is the same, and carries no file."""
    existing = client.get(f"/directory/resources/{document_resource.id}/document")
    missing = client.get(f"/directory/resources/{document_resource.id + 99}/document")
    assert existing.status_code == missing.status_code == 302
    assert "/auth/login" in existing.headers["Location"]
    assert PDF not in existing.data
    assert client.get("/directory/resources").status_code == 302


def test_content_not_matching_its_extension_is_refused_with_the_form_kept(as_moderator, tmp_path):
    form = _form(title="Manual on extradition", description="Chapter 3 covers urgent requests")
    answer = _post(as_moderator, "/directory/resources/new", form, (b"MZ\x90\x00", "manual.pdf"))
    assert answer.status_code == 400
    assert "does not match its extension" in answer.text
    assert "Manual on extradition" in answer.text
    assert "Chapter 3 covers urgent requests" in answer.text
    assert _count(Resource) == 0 and _count(Attachment) == 0 and _stored(tmp_path) == []


def test_a_link_or_a_document_is_required(as_moderator):
    answer = _post(as_moderator, "/directory/resources/new", _form())
    assert answer.status_code == 400
    assert "Give an address, attach a document, or both." in answer.text
    assert _count(Resource) == 0


def test_replacing_and_removing_the_document_removes_the_files(
    client, auth, document_resource, tmp_path
):
    auth.login(make_user(role=Role.MODERATOR))
    [first] = _stored(tmp_path)
    edit = f"/directory/resources/{document_resource.id}/edit"
    kept = _post(client, edit, _form(title="Renamed"))
    assert kept.status_code == 302 and _stored(tmp_path) == [first]
    replaced = _post(client, edit, _form(), (PDF + b"% v2\n", "model-law-v2.pdf"))
    assert replaced.status_code == 302
    [second] = _stored(tmp_path)
    assert second != first and _count(Attachment) == 1
    removed = client.post(f"/directory/resources/{document_resource.id}/delete")
    assert removed.status_code == 302
    assert _stored(tmp_path) == [] and _count(Attachment) == 0 and _count(Resource) == 0
