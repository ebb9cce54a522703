"""The hash-chained audit log: rows link to their predecessor, and ``flask audit verify``
names the first row edited or the row after one deleted behind the application's back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.security import audit
from forum.security.audit import AuditEvent

ROWS = 5
MIDDLE = 3


@pytest.fixture
def events(app, member):
    """Five committed audit rows written the way the application writes them."""
    for n in range(ROWS):
        audit.record("test.event", actor=member, target=member, step=n)
        db.session.commit()
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert len(rows) == ROWS
    return rows


def _verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output + (result.stderr or "")


def test_record_chains_each_row_to_the_previous_one(events):
    assert events[0].prev_hash == audit.GENESIS_HASH
    for previous, row in zip(events, events[1:], strict=False):
        assert row.prev_hash == previous.row_hash
    for row in events:
        assert row.row_hash == row.computed_hash()
    assert len({row.row_hash for row in events}) == ROWS


def test_record_keeps_who_did_what_to_whom(events, member):
    row = events[MIDDLE - 1]
    assert (row.actor_id, row.action, row.target_type, row.target_id) == (
        member.id,
        "test.event",
        "user",
        str(member.id),
    )
    assert row.details_dict == {"step": MIDDLE - 1}


def test_intact_chain_verifies(app, events):
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == ROWS
    exit_code, output = _verify(app)
    assert exit_code == 0
    assert output.startswith("OK")
    assert f"{ROWS} audit entries" in output


def test_empty_log_verifies(app):
    exit_code, output = _verify(app)
    assert exit_code == 0
    assert output.startswith("OK: 0")


def test_verify_walks_across_batches(app, events):
    assert audit.verify_chain(batch_size=2).checked == ROWS


def _tampered_value(column: str, row: AuditEvent):
    if column == "created_at":
        return row.created_at - timedelta(minutes=5)
    if column == "actor_id":
        return (row.actor_id or 0) + 100
    if column == "details":
        return '{"step": 99}'
    if column in ("prev_hash", "row_hash"):
        return "f" * 64
    if column == "ip_address":
        return "203.0.113.9"
    return "tampered"


EDITABLE = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]


@pytest.mark.parametrize("column", EDITABLE)
def test_editing_any_column_of_a_middle_row_is_named(app, events, column):
    row = events[MIDDLE - 1]
    value = sa.bindparam(
        "value", _tampered_value(column, row), type_=AuditEvent.__table__.c[column].type
    )
    db.session.execute(
        sa.text(f"UPDATE audit_events SET {column} = :value WHERE id = :id").bindparams(
            value, id=row.id
        )
    )
    db.session.commit()
    report = audit.verify_chain()
    assert (report.ok, report.first_bad_id) == (False, row.id)
    exit_code, output = _verify(app)
    assert exit_code == 1
    assert f"entry {row.id}:" in output
    assert "OK" not in output


def test_deleting_a_middle_row_is_detected(app, events):
    deleted, following = events[MIDDLE - 1].id, events[MIDDLE].id
    db.session.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": deleted})
    db.session.commit()
    exit_code, output = _verify(app)
    assert exit_code == 1
    # The row after the gap no longer links to its predecessor.
    assert f"entry {following}:" in output
    assert "link to previous row broken" in output


def test_rewriting_a_row_and_its_hash_still_breaks_the_next_link(app, events):
    """A forger who recomputes the edited row's hash is caught by the row after it."""
    row, following = events[MIDDLE - 1], events[MIDDLE]
    db.session.execute(
        sa.text("UPDATE audit_events SET action = 'login.success' WHERE id = :id"),
        {"id": row.id},
    )
    db.session.commit()
    db.session.refresh(row)
    db.session.execute(
        sa.text("UPDATE audit_events SET row_hash = :hash WHERE id = :id"),
        {"hash": row.computed_hash(), "id": row.id},
    )
    db.session.commit()
    exit_code, output = _verify(app)
    assert exit_code == 1
    assert f"entry {following.id}:" in output
