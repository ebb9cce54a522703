"""Audit log viewer: filters, CSV export, and the hash-chain verdict at the top."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from flask_login import current_user

from forum.auth.models import User
from forum.auth.permissions import staff_required
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation import bp
from forum.moderation.forms import AuditFilterForm
from forum.security import audit
from forum.security.audit import GENESIS_HASH
from forum.security.audit import AuditEvent
from forum.security.audit import ChainReport

PAGE_SIZE = 100
EXPORT_LIMIT = 50_000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _filtered(form: AuditFilterForm) -> sa.Select:
    query = sa.select(AuditEvent)
    actor = (form.actor.data or "").strip()
    if actor:
        if actor.isdigit():
            query = query.where(AuditEvent.actor_id == int(actor))
        else:
            ids = sa.select(User.id).where(User.email.like(f"%{actor.lower()}%"))
            query = query.where(AuditEvent.actor_id.in_(ids))
    action = (form.action.data or "").strip()
    if action:
        query = query.where(AuditEvent.action.like(f"{action}%"))
    target = (form.target.data or "").strip()
    if target:
        kind, _sep, ident = target.partition(":")
        query = query.where(AuditEvent.target_type == kind.strip().lower())
        if ident.strip():
            query = query.where(AuditEvent.target_id == ident.strip())
    if form.since.data:
        query = query.where(
            AuditEvent.created_at >= datetime.combine(form.since.data, time.min, tzinfo=UTC)
        )
    if form.until.data:
        end = datetime.combine(form.until.data, time.min, tzinfo=UTC) + timedelta(days=1)
        query = query.where(AuditEvent.created_at < end)
    return query


_CHAIN_COLUMNS = (
    AuditEvent.id,
    AuditEvent.created_at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.target_type,
    AuditEvent.target_id,
    AuditEvent.ip_address,
    AuditEvent.details,
    AuditEvent.prev_hash,
    AuditEvent.row_hash,
)


def verify_chain_quickly(
    batch_size: int = 5000, *, start: tuple[int, str, int] = (0, GENESIS_HASH, 0)
) -> tuple[ChainReport, int, str]:
    """The same walk as :func:`forum.security.audit.verify_chain`, on plain rows.

    Reading tuples instead of ORM objects keeps it affordable on a large log; the hash is
    computed by the model's own method. ``start`` = (last id, its hash, rows before) resumes
    from a checkpoint. Returns the report and the new checkpoint (last id, last hash).
    """
    last_id, expected_prev, checked = start
    while True:
        rows = db.session.execute(
            sa.select(*_CHAIN_COLUMNS)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(ok=True, checked=checked), last_id, expected_prev
        for row in rows:
            if row.prev_hash != expected_prev:
                report = ChainReport(False, checked, row.id, "link to previous row broken")
                return report, 0, GENESIS_HASH
            if row.row_hash != AuditEvent.computed_hash(row):
                report = ChainReport(False, checked, row.id, "row content does not match its hash")
                return report, 0, GENESIS_HASH
            expected_prev = row.row_hash
            checked += 1
            last_id = row.id


# Per database: when the whole chain was last verified, and up to which row.
_checkpoints: dict[str, dict] = {}


def chain_report() -> tuple[ChainReport, datetime]:
    """Verify the chain; in full at most every AUDIT_FULL_VERIFY_SECONDS, else from a checkpoint.

    Between full walks only the rows added since are checked, after making sure the
    checkpoint row itself is unchanged; ``flask audit verify`` always walks everything.
    """
    key = str(db.engine.url)
    now = utcnow()
    interval = timedelta(seconds=current_app.config.get("AUDIT_FULL_VERIFY_SECONDS", 300))
    saved = _checkpoints.get(key)
    if saved and now - saved["full_at"] < interval and saved["last_id"]:
        row = db.session.execute(
            sa.select(*_CHAIN_COLUMNS).where(AuditEvent.id == saved["last_id"])
        ).first()
        # The checkpoint row must still hash to what was verified, content included.
        if (
            row is not None
            and row.row_hash == saved["last_hash"]
            and AuditEvent.computed_hash(row) == saved["last_hash"]
        ):
            start = (saved["last_id"], saved["last_hash"], saved["checked"])
            report, last_id, last_hash = verify_chain_quickly(start=start)
            if report.ok:
                saved.update(last_id=last_id, last_hash=last_hash, checked=report.checked)
                return report, saved["full_at"]
    report, last_id, last_hash = verify_chain_quickly()
    if report.ok:
        _checkpoints[key] = {
            "full_at": now,
            "last_id": last_id,
            "last_hash": last_hash,
            "checked": report.checked,
        }
    else:
        _checkpoints.pop(key, None)
    return report, now


def _actors(events) -> dict[int, User]:
    ids = {event.actor_id for event in events if event.actor_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


@bp.route("/audit")
@staff_required
def audit_log():
    form = AuditFilterForm(request.args)
    form.validate()
    page = max(request.args.get("page", 1, type=int), 1)
    events = db.session.scalars(
        _filtered(form)
        .order_by(AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    report, verified_in_full_at = chain_report()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "moderation/audit.html",
        form=form,
        events=events[:PAGE_SIZE],
        actors=_actors(events),
        has_next=len(events) > PAGE_SIZE,
        page=page,
        args=args,
        report=report,
        verified_in_full_at=verified_in_full_at,
    )


@bp.route("/audit/export", methods=["POST"])
@staff_required
def audit_export():
    """POST, because exporting the log is itself a staff action that is logged."""
    form = AuditFilterForm(request.form)
    form.validate()
    events = db.session.scalars(_filtered(form).order_by(AuditEvent.id).limit(EXPORT_LIMIT)).all()
    actors = _actors(events)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "id",
            "created_at",
            "actor_id",
            "actor_email",
            "action",
            "target_type",
            "target_id",
            "ip_address",
            "details",
            "row_hash",
        ]
    )
    for event in events:
        actor = actors.get(event.actor_id)
        writer.writerow(
            [
                csv_safe(value)
                for value in (
                    event.id,
                    event.created_at.isoformat(),
                    event.actor_id,
                    actor.email if actor else "",
                    event.action,
                    event.target_type,
                    event.target_id,
                    event.ip_address,
                    event.details,
                    event.row_hash,
                )
            ]
        )
    filters = {k: v for k, v in request.form.items() if k != "csrf_token" and v}
    audit.record("audit.exported", actor=current_user, rows=len(events), filters=filters)
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="liaison-audit-{stamp}.csv"'},
    )
