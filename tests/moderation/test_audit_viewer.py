"""Audit log viewer: the chain verdict on top, filters, and a CSV export safe for spreadsheets.

Covered: an intact and a tampered chain are both reported; filters by actor (e-mail or id),
action prefix, target and date range; the export keeps the filters, neutralises formula
cells and is itself audited; members and focal points are refused.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.audit_routes import csv_safe
from forum.security import audit
from forum.security.audit import AuditEvent
from tests.auth.helpers import audit_rows
from tests.moderation.conftest import signed_in_client


def _seed(member, moderator):
    audit.record("member.suspended", actor=moderator, target=member, reason="=HYPERLINK(1)")
    audit.record("discussions.post_hidden", actor=moderator, target_type="post", target_id=7)
    old = audit.record("invitation.created", actor=None, target_type="invitation", target_id=3)
    old.created_at = utcnow() - timedelta(days=40)
    old.row_hash = old.computed_hash()
    db.session.commit()


def _shown(page) -> list[str]:
    body = page.text.split('data-testid="audit-events"')[1]
    return [
        a
        for a in ("member.suspended", "discussions.post_hidden", "invitation.created")
        if a in body
    ]


def test_chain_status_and_filters(as_user, moderator, member):
    _seed(member, moderator)
    staff = as_user(moderator)
    page = staff.get("/moderation/audit")
    assert page.status_code == 200
    assert "Hash chain intact" in page.text
    assert staff.get("/moderation/audit?action=member.").text.count("member.suspended") >= 1
    assert _shown(staff.get("/moderation/audit?action=discussions")) == ["discussions.post_hidden"]
    assert _shown(staff.get("/moderation/audit?target=post:7")) == ["discussions.post_hidden"]
    by_email = _shown(staff.get("/moderation/audit?actor=moderator@example.org"))
    assert "invitation.created" not in by_email and "member.suspended" in by_email
    assert _shown(staff.get(f"/moderation/audit?actor={moderator.id}&action=member"))
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    assert "invitation.created" not in _shown(staff.get(f"/moderation/audit?since={since}"))
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert _shown(staff.get(f"/moderation/audit?until={until}")) == ["invitation.created"]
    assert staff.get("/moderation/audit?since=not-a-date").status_code == 200


def test_a_tampered_chain_is_reported_on_top(as_user, moderator, member):
    _seed(member, moderator)
    staff = as_user(moderator)
    assert "Hash chain intact" in staff.get("/moderation/audit").text
    # Between full walks the newest verified row is re-checked: editing it shows at once.
    newest = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    newest.details = '{"edited": true}'
    db.session.commit()
    assert "Hash chain BROKEN" in staff.get("/moderation/audit").text


def test_an_older_tampered_row_is_found_by_the_full_walk(app_factory, app, moderator, member):
    always_full = app_factory(AUDIT_FULL_VERIFY_SECONDS=0)
    staff = signed_in_client(always_full, moderator)
    _seed(member, moderator)
    assert "Hash chain intact" in staff.get("/moderation/audit").text
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.action == "discussions.post_hidden")
        .values(details='{"edited": true}')
    )
    db.session.commit()
    assert "Hash chain BROKEN" in staff.get("/moderation/audit").text


def test_csv_export_is_formula_safe_filtered_and_audited(as_user, moderator, member):
    _seed(member, moderator)
    response = as_user(moderator).post("/moderation/audit/export", data={"action": "member."})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["id", "created_at", "actor_id", "actor_email", "action"]
    assert [row[4] for row in rows[1:]] == ["member.suspended"]
    details = rows[1][8]
    assert not details.startswith("=")
    assert "=HYPERLINK(1)" in details  # kept inside the JSON, which starts with "{"
    [exported] = audit_rows("audit.exported")
    assert exported.actor_id == moderator.id
    assert exported.details_dict["rows"] == 1


def test_csv_safe_neutralises_every_formula_start():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(dangerous).startswith("'")
    assert csv_safe("plain") == "plain"
    assert csv_safe(None) == ""


def test_audit_log_is_for_staff(as_user, member, focal_fr):
    for user in (member, focal_fr):
        client = as_user(user)
        assert client.get("/moderation/audit").status_code == 403
        assert client.post("/moderation/audit/export").status_code == 403
