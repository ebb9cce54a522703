"""``flask dev generate``: rows land linked and searchable; production refuses it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import devdata
from forum.discussions import search
from forum.discussions.models import Post
from forum.discussions.models import Thread
from forum.extensions import db


@pytest.fixture(autouse=True)
def _empty_search_index(app):
    """The FTS5 table is outside the models, so the shared fixture does not empty it."""
    db.session.execute(sa.text("DELETE FROM post_search"))
    db.session.commit()


def test_generate_fills_users_directory_threads_and_search(app):
    app.config["ARGON2_TIME_COST"] = 1
    devdata.generate(users=30, threads=40, posts=600, entries_per_state=2)
    from forum.auth.models import User
    from forum.directory.models import Entry

    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 30
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) >= 193
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 600
    long_thread = db.session.get(Thread, 1)
    assert long_thread.post_count == devdata.LONG_THREAD_POSTS
    numbers = db.session.scalars(sa.select(Post.number).where(Post.thread_id == 1)).all()
    assert sorted(numbers) == list(range(1, devdata.LONG_THREAD_POSTS + 1))
    reader = db.session.get(User, 1)
    hits = search.search(reader, "extradition")
    assert hits and all(hit.post_id for hit in hits)
    # Sequences continue after the generated ids (PostgreSQL): a normal insert still works.
    from tests.factories import make_user

    assert make_user().id == 31


def test_generated_member_logs_in_with_printed_credentials(app, client):
    import pyotp

    devdata.generate(users=2, threads=0, posts=0, entries_per_state=0)
    answer = client.post(
        "/auth/login",
        data={"email": f"user1@{devdata.EMAIL_DOMAIN}", "password": devdata.GENERATED_PASSWORD},
    )
    assert answer.status_code == 302
    code = pyotp.TOTP(devdata.GENERATED_TOTP_SECRET).now()
    assert client.post("/auth/login/code", data={"code": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_production_configuration_is_refused(app):
    import click

    app.config["ENV_NAME"] = "production"
    with pytest.raises(click.ClickException, match="production"):
        devdata.generate(users=1, threads=0, posts=0)
    from forum.auth.models import User

    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
