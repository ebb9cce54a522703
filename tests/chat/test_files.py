"""Files in conversations: sent through the shared attachment store with the message, in one
transaction; downloads for members only (404 for anyone else, and once the message is
deleted); a bad file is refused with nothing stored; the same form sent twice stores once.
Also the entry point from a member's profile."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.chat import actions
from forum.chat.models import Message
from forum.discussions.models import Attachment
from forum.extensions import db
from tests.auth.helpers import logged_in_client
from tests.chat.helpers import direct_between
from tests.factories import make_user

PDF = b"%PDF-1.4\n% mutual legal assistance request\n%%EOF\n"


@pytest.fixture(autouse=True)
def _store(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")


def _upload(client, conversation_id, *, data=PDF, name="request.pdf", client_id="f1", caption=""):
    return client.post(
        f"/chat/{conversation_id}/files",
        data={
            "client_id": client_id,
            "caption": caption,
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_member_sends_a_file_the_other_downloads_it_live(app, sockets, member):
    other = make_user(display_name="Ben Berger")
    conversation = direct_between(member, other)
    watcher = sockets(other)
    answer = _upload(logged_in_client(app, member), conversation.id, caption="Signed copy")
    assert answer.status_code == 302
    message = db.session.scalar(sa.select(Message))
    assert message.attachment_name == "request.pdf" and "Signed copy" in message.body_html
    [live] = watcher.received("message")
    assert live["attachment_id"] == message.attachment_id
    assert live["attachment_name"] == "request.pdf"
    download = logged_in_client(app, other).get(f"/chat/files/{message.attachment_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()
    page = logged_in_client(app, other).get(f"/chat/{conversation.id}")
    assert f"/chat/files/{message.attachment_id}".encode() in page.data


def test_outsiders_get_not_found_for_the_file_and_the_upload(app, member):
    a, b = make_user(), make_user()
    conversation = direct_between(a, b)
    assert _upload(logged_in_client(app, a), conversation.id).status_code == 302
    attachment_id = db.session.scalar(sa.select(Message.attachment_id))
    outsider = logged_in_client(app, member)
    assert outsider.get(f"/chat/files/{attachment_id}").status_code == 404
    assert _upload(outsider, conversation.id, client_id="x").status_code == 404
    assert _count(Message) == 1 and _count(Attachment) == 1


def test_deleted_message_takes_its_file_away(app, member):
    other = make_user()
    conversation = direct_between(member, other)
    _upload(logged_in_client(app, member), conversation.id)
    message = db.session.scalar(sa.select(Message))
    actions.do_delete(member, message.id)
    assert (
        logged_in_client(app, other).get(f"/chat/files/{message.attachment_id}").status_code == 404
    )


def test_bad_file_is_refused_and_nothing_is_stored(app, member, tmp_path):
    other = make_user()
    conversation = direct_between(member, other)
    answer = _upload(
        logged_in_client(app, member), conversation.id, data=b"MZ\x90\x00", name="order.pdf"
    )
    assert answer.status_code == 400
    assert b"does not match" in answer.data
    assert _count(Message) == 0 and _count(Attachment) == 0
    assert not any(Path(tmp_path / "attachments").glob("*"))


def test_same_form_twice_stores_one_message_and_one_file(app, member, tmp_path):
    other = make_user()
    conversation = direct_between(member, other)
    client = logged_in_client(app, member)
    assert _upload(client, conversation.id).status_code == 302
    assert _upload(client, conversation.id).status_code == 302
    assert _count(Message) == 1 and _count(Attachment) == 1
    assert len(list(Path(tmp_path / "attachments").glob("*"))) == 1


def test_profile_offers_a_conversation(app, member):
    other = make_user(display_name="Ben Berger")
    client = logged_in_client(app, member)
    page = client.get(f"/members/{other.id}")
    assert b'action="/chat/direct"' in page.data
    answer = client.post("/chat/direct", data={"user_id": other.id})
    assert answer.status_code == 302 and "/chat/" in answer.headers["Location"]
