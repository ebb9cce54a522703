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
from forum.security.audit import AuditEvent
from forum.security.audit import verify_chain

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
    report = verify_chain()
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
