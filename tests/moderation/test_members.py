"""Keeping membership current: suspend, reactivate, roles, deactivate, notices, profiles.

Covered: a suspension ends every session at once (the open browser is bounced on its next
request) and announces ``user_access_revoked`` after the commit, for sockets; a timed
suspension ends with ``flask members review``; role changes follow who-may-grant-what
(admins only for staff roles); moderators cannot act on staff; deactivation prompts the
hand-over of directory contact roles; members filters; notices reach the member in the app
and by mail; profiles are for members and hide inactive accounts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.auth.models import Role
from forum.auth.models import Status
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import Suspension
from forum.security.signals import user_access_revoked
from tests.auth.helpers import audit_rows
from tests.auth.helpers import is_signed_in
from tests.auth.helpers import live_sessions_of
from tests.auth.helpers import mail_text
from tests.factories import make_user


@pytest.fixture
def revoked():
    """Every user_access_revoked signal sent during the test."""
    seen = []

    def listener(sender, **kwargs):
        seen.append(kwargs)

    user_access_revoked.connect(listener)
    yield seen
    user_access_revoked.disconnect(listener)


def test_suspension_ends_sessions_and_sockets_at_once(as_user, moderator, member, revoked):
    browser = as_user(member)
    phone = as_user(member)
    assert is_signed_in(browser) and is_signed_in(phone)
    staff = as_user(moderator)
    answer = staff.post(
        f"/moderation/members/{member.id}/suspend", data={"suspend-reason": "Leaked a thread"}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert member.status == Status.SUSPENDED
    assert live_sessions_of(member) == []
    assert not is_signed_in(browser)
    assert not is_signed_in(phone)
    assert revoked == [{"user_id": member.id, "reason": "suspended"}]
    [row] = audit_rows("member.suspended")
    assert row.actor_id == moderator.id
    assert row.details_dict["reason"] == "Leaked a thread"
    assert row.details_dict["sessions_ended"] == 2


def test_suspended_member_cannot_log_in_until_reactivated(client, as_user, moderator, member):
    staff = as_user(moderator)
    staff.post(f"/moderation/members/{member.id}/suspend", data={"suspend-reason": "x"})
    from tests.auth.helpers import log_in

    assert log_in(client, member).status_code == 403
    staff.post(f"/moderation/members/{member.id}/reactivate", data={"reactivate-reason": "ok"})
    db.session.expire_all()
    assert member.status == Status.ACTIVE
    assert log_in(client, member).status_code == 302


def test_reason_is_required(as_user, moderator, member):
    answer = as_user(moderator).post(f"/moderation/members/{member.id}/suspend")
    assert answer.status_code == 400
    db.session.expire_all()
    assert member.status == Status.ACTIVE
    assert audit_rows("member.suspended") == []


def test_timed_suspension_is_lifted_by_the_review_command(app, as_user, moderator, member):
    until = (utcnow() + timedelta(days=3)).date().isoformat()
    as_user(moderator).post(
        f"/moderation/members/{member.id}/suspend",
        data={"suspend-reason": "cooling off", "suspend-until": until},
    )
    suspension = db.session.query(Suspension).one()
    assert suspension.until > utcnow()
    assert app.test_cli_runner().invoke(args=["members", "review"]).exit_code == 0
    db.session.expire_all()
    assert member.status == Status.SUSPENDED
    suspension.until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["members", "review"])
    assert "Suspensions ended: 1" in result.output
    db.session.expire_all()
    assert member.status == Status.ACTIVE
    assert len(audit_rows("member.suspension_expired")) == 1


def test_past_end_date_is_refused(as_user, moderator, member):
    answer = as_user(moderator).post(
        f"/moderation/members/{member.id}/suspend",
        data={"suspend-reason": "x", "suspend-until": "2001-01-01"},
    )
    assert answer.status_code == 400
    assert "x" in answer.text  # the reason typed is kept


def test_moderator_names_a_focal_point(as_user, moderator, member):
    answer = as_user(moderator).post(
        f"/moderation/members/{member.id}/role",
        data={"role-role": "focal_point", "role-reason": "named by the ministry"},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert member.role == Role.FOCAL_POINT
    [row] = audit_rows("member.role_changed")
    assert row.details_dict["old"] == "member" and row.details_dict["new"] == "focal_point"


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_only_admins_grant_staff_roles(as_user, moderator, admin_user, member, role):
    refused = as_user(moderator).post(
        f"/moderation/members/{member.id}/role", data={"role-role": role, "role-reason": "x"}
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert member.role == Role.MEMBER
    granted = as_user(admin_user).post(
        f"/moderation/members/{member.id}/role", data={"role-role": role, "role-reason": "x"}
    )
    assert granted.status_code == 302
    db.session.expire_all()
    assert member.role == role


def test_moderators_cannot_act_on_staff_or_themselves(as_user, moderator, admin_user):
    other = make_user(role=Role.MODERATOR, state_code=None)
    staff = as_user(moderator)
    for target in (other, admin_user, moderator):
        answer = staff.post(
            f"/moderation/members/{target.id}/suspend", data={"suspend-reason": "x"}
        )
        assert answer.status_code == 403
    admin = as_user(admin_user)
    assert (
        admin.post(
            f"/moderation/members/{other.id}/role", data={"role-role": "member", "role-reason": "x"}
        ).status_code
        == 302
    )


def test_focal_point_needs_a_state(as_user, admin_user):
    stateless = make_user(state_code=None)
    answer = as_user(admin_user).post(
        f"/moderation/members/{stateless.id}/role",
        data={"role-role": "focal_point", "role-reason": "x"},
    )
    assert answer.status_code == 400


def test_deactivation_ends_access_and_prompts_the_handover(as_user, moderator, member, revoked):
    browser = as_user(member)
    page = as_user(moderator).post(
        f"/moderation/members/{member.id}/deactivate", data={"deactivate-reason": "retired"}
    )
    assert page.status_code == 200
    assert "Hand over their directory contact roles" in page.text
    db.session.expire_all()
    assert member.status == Status.DEACTIVATED
    assert not is_signed_in(browser)
    assert revoked == [{"user_id": member.id, "reason": "deactivated"}]


def test_members_page_filters(as_user, moderator):
    make_user(email="fr.active@x.example", state_code="FR", authority_name="Parquet")
    old = make_user(email="de.idle@x.example", state_code="DE", authority_name="BfJ")
    old.last_seen_at = utcnow() - timedelta(days=400)
    make_user(email="es.new@x.example", state_code="ES", enrolled=False, status=Status.INVITED)
    db.session.commit()
    staff = as_user(moderator)

    def shown(query: str) -> set[str]:
        text = staff.get("/moderation/members?" + query).text
        return {e for e in ("fr.active", "de.idle", "es.new") if e + "@x.example" in text}

    assert shown("") == {"fr.active", "de.idle", "es.new"}
    assert shown("state=DE") == {"de.idle"}
    assert shown("authority=parq") == {"fr.active"}
    assert shown("status=invited") == {"es.new"}
    assert shown("two_factor=no") == {"es.new"}
    assert "de.idle" in shown("seen=inactive")
    assert shown("role=admin") == set()
    assert "not seen for 180 days" in staff.get("/moderation/members?state=DE").text


def test_member_detail_shows_sessions_and_history(as_user, moderator, member):
    as_user(member)
    page = as_user(moderator).get(f"/moderation/members/{member.id}")
    assert page.status_code == 200
    assert "login.success" in page.text
    assert "No active sessions." not in page.text
    assert as_user(moderator).get("/moderation/members/999999").status_code == 404


def test_notice_reaches_the_member_in_the_app_and_by_mail(as_user, moderator, member, outbox):
    as_user(moderator).post(
        f"/moderation/members/{member.id}/notice",
        data={"notice-subject": "About your last post", "notice-body": "Please remove names."},
    )
    assert "Please remove names." in mail_text(outbox[-1])
    client = as_user(member)
    home = client.get("/")
    assert "Notices (1)" in home.text
    notices = client.get("/members/notices")
    assert "Please remove names." in notices.text
    client.post("/members/notices")
    assert "Notices (1)" not in client.get("/").text
    assert len(audit_rows("member.notice_sent")) == 1


def test_profile_for_members_only_and_active_accounts_only(client, as_user, member, moderator):
    colleague = make_user(display_name="Jonas Berg", state_code="SE", authority_name="Åklagare")
    gone = make_user(display_name="Gone Person", status=Status.DEACTIVATED)
    assert client.get(f"/members/{colleague.id}").status_code == 302  # to login
    viewer = as_user(member)
    page = viewer.get(f"/members/{colleague.id}")
    assert page.status_code == 200
    assert "Jonas Berg" in page.text and "Sweden" in page.text and colleague.email not in page.text
    assert viewer.get(f"/members/{gone.id}").status_code == 404
    assert viewer.get("/members/999999").status_code == 404
    assert as_user(moderator).get(f"/members/{gone.id}").status_code == 200


def test_members_cannot_reach_any_moderation_route(as_user, member):
    client = as_user(member)
    for path in (
        "/moderation/members",
        "/moderation/flags",
        "/moderation/audit",
        "/moderation/invitations",
        "/moderation/applications",
        "/moderation/reviews",
    ):
        assert client.get(path).status_code == 403, path


def test_profile_offers_a_message_button_once_chat_exists(app, as_user, member):
    colleague = make_user(display_name="Jonas Berg")
    viewer = as_user(member)
    page = viewer.get(f"/members/{colleague.id}").text
    own = viewer.get(f"/members/{member.id}").text
    if "chat.start_direct" in app.view_functions:
        assert 'action="/chat/direct"' in page
        assert f'name="user_id" value="{colleague.id}"' in page
    else:
        assert "/chat/direct" not in page
    assert "/chat/direct" not in own  # nobody messages themselves


def test_admin_session_end_and_second_factor_reset_also_close_sockets(
    as_user, admin_user, member, revoked
):
    admin = as_user(admin_user)
    assert admin.post(f"/admin/users/{member.id}/sessions/end").status_code == 302
    assert admin.post(f"/admin/users/{member.id}", data={"reason": "lost phone"}).status_code == 302
    assert revoked == [
        {"user_id": member.id, "reason": "ended_by_admin"},
        {"user_id": member.id, "reason": "second_factor_reset"},
    ]


def test_deactivation_lists_the_directory_contact_roles_to_hand_over(
    as_user, moderator, member, monkeypatch
):
    from forum.directory import actions as directory_actions

    line = "Central Authority for MLA (France): Marie Membre"
    monkeypatch.setattr(
        directory_actions,
        "contacts_for_user",
        lambda user: [line] if user.id == member.id else [],
    )
    page = as_user(moderator).post(
        f"/moderation/members/{member.id}/deactivate", data={"deactivate-reason": "moved on"}
    )
    assert page.status_code == 200
    assert 'data-testid="departed-contacts"' in page.text
    assert line in page.text
