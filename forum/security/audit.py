"""The append-only, hash-chained audit log that every capability writes to.

Each row stores the hash of the previous row, so editing or deleting any row breaks
the chain from that point on; ``flask audit verify`` finds the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import has_request_context
from flask import request

from forum.db_types import UTCDateTime
from forum.db_types import utcnow
from forum.extensions import db

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises audit writers.
_ADVISORY_LOCK_KEY = 0x4C494149


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.Integer, index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(60), index=True)
    target_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    target_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    ip_address: so.Mapped[str] = so.mapped_column(sa.String(45), default="")
    details: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    row_hash: so.Mapped[str] = so.mapped_column(sa.String(64))

    def computed_hash(self) -> str:
        payload = json.dumps(
            [
                self.id,
                self.created_at.isoformat(),
                self.actor_id,
                self.action,
                self.target_type,
                self.target_id,
                self.ip_address,
                self.details,
                self.prev_hash,
            ],
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details)


def _client_ip() -> str:
    return (request.remote_addr or "") if has_request_context() else ""


def record(
    action: str,
    *,
    actor=None,
    target=None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    **details,
) -> AuditEvent:
    """Add one audit row to the current transaction; the caller's commit makes it durable.

    Writing in the caller's transaction means an action and its audit row land together
    or not at all.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers so two transactions never chain onto the same previous row.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    if target is not None:
        target_type = target_type or type(target).__name__.lower()
        target_id = target.id
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", actor),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip_address=_client_ip(),
        details=json.dumps(details, sort_keys=True, default=str),
        prev_hash="",
        row_hash="",
    )
    session.add(event)
    # The insert takes SQLite's write lock before we read the previous row.
    session.flush()
    previous = session.scalar(
        sa.select(AuditEvent.row_hash)
        .where(AuditEvent.id < event.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event.prev_hash = previous or GENESIS_HASH
    event.row_hash = event.computed_hash()
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the log in id order and report the first row whose hash or link is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(ok=True, checked=checked)
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(False, checked, row.id, "link to previous row broken")
            if row.row_hash != row.computed_hash():
                return ChainReport(False, checked, row.id, "row content does not match its hash")
            expected_prev = row.row_hash
            checked += 1
            last_id = row.id
            db.session.expunge(row)
