"""The main pages run the same number of SQL queries whatever the amount of data: home and a
category page here (the thread page, discussions index and directory have their own tests).
"""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from forum import devdata
from forum.extensions import db
from tests.statements import recorded_statements


def _count(client, path: str) -> int:
    with recorded_statements() as statements:
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(statements)


def _log_in(client, number: int = 1) -> None:
    client.post(
        "/auth/login",
        data={
            "email": f"user{number}@{devdata.EMAIL_DOMAIN}",
            "password": devdata.GENERATED_PASSWORD,
        },
    )
    code = pyotp.TOTP(devdata.GENERATED_TOTP_SECRET).now()
    assert client.post("/auth/login/code", data={"code": code}).status_code == 302


def _clear_search(app) -> None:
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DELETE FROM post_search"))
        db.session.commit()


def test_home_and_category_queries_do_not_grow_with_data(app, client):
    _clear_search(app)
    devdata.generate(users=5, threads=3, posts=6, entries_per_state=0)
    _log_in(client)
    for path in ("/", "/discussions/c/general"):
        client.get(path)  # first visits may write read marks
    small = {path: _count(client, path) for path in ("/", "/discussions/c/general")}
    # Ten times the threads, written by many more authors, and more members.
    devdata.generate(users=40, threads=60, posts=600, entries_per_state=0, seed=2)
    large = {path: _count(client, path) for path in ("/", "/discussions/c/general")}
    assert small == large


def test_a_signed_in_page_costs_two_queries_session_and_header_counts(app, client):
    """The session and its member come in one statement, every header count in another."""
    _clear_search(app)
    devdata.generate(users=3, threads=1, posts=2, entries_per_state=0)
    _log_in(client)
    client.get("/")  # the first visit may write last_seen
    with recorded_statements() as statements:
        answer = client.get("/")
    assert answer.status_code == 200
    assert len(statements) == 2, statements
    assert "user_sessions" in statements[0] and "users" in statements[0]
    for table in ("notifications", "chat_messages", "member_notices", "recovery_codes"):
        assert table in statements[1], table
