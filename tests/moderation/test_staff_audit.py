"""Every staff route leaves its trace: a walk over every POST route of moderation and admin.

Each route is called once, successfully, by the staff member allowed to use it, and writes
EXACTLY ONE audit entry, attributed to that staff member, carrying the details of everything
the action did (the invitation an approval sends, the flags a decision settles). A new POST
route without a scenario here fails ``test_every_staff_post_route_is_walked``; a route that
writes no entry, or two, fails ``test_staff_route_writes_exactly_one_audit_entry``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.auth.invitations import do_invite
from forum.auth.models import Invitation
from forum.auth.models import Role
from forum.discussions.models import Category
from forum.discussions.models import Flag
from forum.extensions import db
from forum.moderation.models import StateReview
from forum.security.audit import AuditEvent
from tests.factories import make_user
from tests.moderation.conftest import make_application
from tests.moderation.conftest import signed_in_client
from tests.moderation.test_flags import make_flagged_post


def _invitation():
    invitation, _link = do_invite(None, "newcomer@x.example", role="member", state_code="FR")
    return invitation


def _category_id():
    category = Category(slug="elsewhere", name="Elsewhere")
    db.session.add(category)
    db.session.commit()
    return category.id


def _flag_post():
    return make_flagged_post(make_user(), [make_user()]).id


# endpoint → (who acts, set-up returning (url, form data), the one audit action expected)
SCENARIOS = {
    "moderation.invitations": (
        "moderator",
        lambda: (
            "/moderation/invitations",
            {"email": "a@x.example", "role": "member", "state_code": "FR", "authority_name": "A"},
        ),
        "invitation.created",
    ),
    "moderation.revoke_invitation": (
        "moderator",
        lambda: (f"/moderation/invitations/{_invitation().id}/revoke", {}),
        "invitation.revoked",
    ),
    "moderation.resend_invitation": (
        "moderator",
        lambda: (f"/moderation/invitations/{_invitation().id}/resend", {}),
        "invitation.created",
    ),
    "moderation.vouch_application": (
        "focal_point",
        lambda: (f"/moderation/applications/{make_application().id}/vouch", {}),
        "application.vouched",
    ),
    "moderation.approve_application": (
        "moderator",
        lambda: (f"/moderation/applications/{make_application(state_code='IT').id}/approve", {}),
        # The decision and the invitation it sends: one entry naming the invitation.
        "application.approved",
    ),
    "moderation.reject_application": (
        "moderator",
        lambda: (
            f"/moderation/applications/{make_application().id}/reject",
            {"reject-reason": "not an authority"},
        ),
        "application.rejected",
    ),
    "moderation.audit_export": (
        "moderator",
        lambda: ("/moderation/audit/export", {}),
        "audit.exported",
    ),
    "moderation.decide_flag": (
        "moderator",
        lambda: (f"/moderation/flags/{_flag_post()}/hide", {"reason": "personal data"}),
        # The decision and the flags it settles: one entry listing the flag ids.
        "discussions.post_hidden",
    ),
    "moderation.suspend_member": (
        "moderator",
        lambda: (f"/moderation/members/{make_user().id}/suspend", {"suspend-reason": "x"}),
        "member.suspended",
    ),
    "moderation.reactivate_member": (
        "moderator",
        lambda: (
            f"/moderation/members/{make_user(status='suspended').id}/reactivate",
            {"reactivate-reason": "x"},
        ),
        "member.reactivated",
    ),
    "moderation.change_member_role": (
        "moderator",
        lambda: (
            f"/moderation/members/{make_user().id}/role",
            {"role-role": "focal_point", "role-reason": "x"},
        ),
        "member.role_changed",
    ),
    "moderation.deactivate_member": (
        "moderator",
        lambda: (f"/moderation/members/{make_user().id}/deactivate", {"deactivate-reason": "x"}),
        "member.deactivated",
    ),
    "moderation.send_member_notice": (
        "moderator",
        lambda: (
            f"/moderation/members/{make_user().id}/notice",
            {"notice-subject": "s", "notice-body": "b"},
        ),
        "member.notice_sent",
    ),
    "moderation.review_detail": (
        "focal_point",
        lambda: (f"/moderation/reviews/{_review().id}", {"departed": []}),
        "review.completed",
    ),
    "admin.user_detail": (
        "admin",
        lambda: (f"/admin/users/{make_user().id}", {"reason": "lost phone"}),
        "2fa.reset_by_admin",
    ),
    "admin.end_sessions": (
        "admin",
        lambda: (f"/admin/users/{_signed_in_user().id}/sessions/end", {}),
        None,  # the foundation's own name for it; still exactly one row
    ),
}


def _review():
    review = StateReview(state_code="FR")
    db.session.add(review)
    db.session.commit()
    return review


_APP = {}


def _signed_in_user():
    user = make_user()
    signed_in_client(_APP["app"], user)
    return user


def _staff_post_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("moderation.", "admin.")) and "POST" in (rule.methods or ())
    }


def test_every_staff_post_route_is_walked(app):
    assert _staff_post_endpoints(app) == set(SCENARIOS)


def _rows_after(last: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id)
        )
    )


def _last_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_staff_route_writes_exactly_one_audit_entry(app, endpoint):
    _APP["app"] = app
    who, build, expected = SCENARIOS[endpoint]
    role = {"moderator": Role.MODERATOR, "admin": Role.ADMIN, "focal_point": Role.FOCAL_POINT}
    actor = make_user(role=role[who], state_code="FR" if who == "focal_point" else None)
    client = signed_in_client(app, actor)
    url, data = build()
    last = _last_id()
    response = client.post(url, data=data)
    assert response.status_code in (200, 302), response.text[:500]
    rows = _rows_after(last)
    assert len(rows) == 1, [row.action for row in rows]
    if expected is not None:
        assert rows[0].action == expected
    assert rows[0].actor_id == actor.id


def test_approval_entry_names_the_invitation(app):
    moderator = make_user(role=Role.MODERATOR)
    client = signed_in_client(app, moderator)
    application = make_application(state_code="IT")
    last = _last_id()
    assert client.post(f"/moderation/applications/{application.id}/approve").status_code == 302
    [row] = _rows_after(last)
    invitation = db.session.scalar(sa.select(Invitation).order_by(Invitation.id.desc()))
    assert invitation.user.email == application.email
    assert row.action == "application.approved"
    assert row.details_dict["invitation_id"] == invitation.id
    assert row.details_dict["invited_user_id"] == invitation.user_id


@pytest.mark.parametrize(
    ("decision", "action"),
    [
        ("dismiss", "discussions.flags_resolved"),
        ("hide", "discussions.post_hidden"),
        ("warn", "member.warned"),
        ("lock", "discussions.thread_locked"),
        ("move", "discussions.thread_moved"),
    ],
)
def test_flag_decision_is_one_entry_listing_the_flags(app, decision, action):
    moderator = make_user(role=Role.MODERATOR)
    client = signed_in_client(app, moderator)
    post = make_flagged_post(make_user(), [make_user(), make_user(), make_user()])
    flag_ids = sorted(db.session.scalars(sa.select(Flag.id).where(Flag.post_id == post.id)))
    data = {"reason": "personal data", "category_id": _category_id()}
    last = _last_id()
    assert client.post(f"/moderation/flags/{post.id}/{decision}", data=data).status_code == 302
    [row] = _rows_after(last)
    assert row.action == action
    assert row.actor_id == moderator.id
    assert sorted(row.details_dict["flag_ids"]) == flag_ids
    assert (
        db.session.scalar(sa.select(sa.func.count(Flag.id)).where(Flag.resolved_at.is_(None))) == 0
    )
