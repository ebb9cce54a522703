"""Driver-level reads return what the same statement returns through SQLAlchemy."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from forum import direct_reads
from forum.auth.models import User
from forum.db_types import utcnow
from forum.extensions import db
from tests.factories import make_user
from tests.statements import recorded_statements

_USERS_SEEN_SINCE = (
    sa.select(User.id, User.email, User.last_seen_at, User.role)
    .where(User.last_seen_at > sa.bindparam("since"), User.status == "active")
    .order_by(User.id)
)


def test_a_row_is_the_one_sqlalchemy_reads(app):
    seen = make_user(email="seen@example.org")
    seen.last_seen_at = utcnow()
    make_user(email="never@example.org")
    db.session.commit()
    params = {"since": utcnow() - timedelta(hours=1)}
    through_engine = tuple(db.session.execute(_USERS_SEEN_SINCE, params).first())
    db.session.rollback()

    row = direct_reads.first(_USERS_SEEN_SINCE, params)

    assert row == through_engine
    assert row[1] == "seen@example.org"
    assert row[2].tzinfo is not None  # aware, as UTCDateTime gives it
    assert direct_reads.first(_USERS_SEEN_SINCE, {"since": utcnow()}) is None


def test_each_read_is_recorded_once(app):
    make_user()
    with recorded_statements() as statements:
        direct_reads.first(_USERS_SEEN_SINCE, {"since": utcnow()})
    assert len(statements) == 1 and "last_seen_at" in statements[0]


@pytest.mark.postgres_only
def test_a_failed_read_leaves_the_pool_usable(app):
    broken = sa.select(sa.text("no_such_column")).select_from(User)
    for _ in range(3):
        with pytest.raises(psycopg.errors.UndefinedColumn):
            direct_reads.first(broken, {})
    make_user(email="after@example.org")
    assert direct_reads.first(sa.select(User.email), {}) == ("after@example.org",)


@pytest.mark.postgres_only
def test_expanding_parameters_are_refused_rather_than_mis_sent(app):
    expanding = sa.select(User.id).where(User.id.in_([1, 2]))
    with pytest.raises(ValueError, match="expanding"):
        direct_reads.first(expanding, {})


@pytest.mark.postgres_only
def test_statements_built_per_call_do_not_grow_the_memo(app):
    make_user(email="one@example.org")
    for n in range(direct_reads._MAX_COMPILED + 10):
        statement = sa.select(User.email).where(User.id > sa.bindparam("floor"))
        assert direct_reads.first(statement, {"floor": -n}) == ("one@example.org",)
    assert len(direct_reads._COMPILED) <= direct_reads._MAX_COMPILED
