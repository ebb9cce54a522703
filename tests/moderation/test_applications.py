"""Getting in: /apply with honeypot, rate limits and e-mail confirmation; the vetting queue.

Covered: the confirmation link enters the queue only on POST; an address with an account gets
no link; the honeypot stores nothing; per-IP and per-domain limits answer 429; a focal point
sees and vouches only for their State's applicants (403 otherwise); the two-person rule;
approval sends the foundation's invitation; rejection mails the reason; members are refused.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.auth.models import Invitation
from forum.auth.models import User
from forum.extensions import db
from forum.moderation.models import Application
from forum.moderation.models import ApplicationStatus
from tests.auth.helpers import audit_rows
from tests.auth.helpers import link_path
from tests.auth.helpers import mail_text
from tests.moderation.conftest import make_application
from tests.moderation.conftest import signed_in_client

FORM = {
    "display_name": "Lena Vogel",
    "email": "lena.vogel@bundesjustizamt.example",
    "state_code": "DE",
    "authority_name": "Bundesamt für Justiz",
    "function": "Head of the MLA unit",
    "motivation": "We receive MLA requests from many States and need direct contacts.",
}


def applications() -> list[Application]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Application).order_by(Application.id)))


def test_apply_confirm_then_queue(client, outbox):
    assert client.get("/apply").status_code == 200
    response = client.post("/apply", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/apply/sent"
    [application] = applications()
    assert application.status == ApplicationStatus.UNCONFIRMED
    assert application.confirm_token_hash is not None
    [message] = outbox
    path = link_path(message, "/apply/confirm/")
    assert path.split("/")[-1] not in application.confirm_token_hash  # stored hashed

    # Opening the link (a mail scanner does too) changes nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert applications()[0].status == ApplicationStatus.UNCONFIRMED

    assert client.post(path).status_code == 200
    [application] = applications()
    assert application.status == ApplicationStatus.PENDING
    assert application.confirmed_at is not None
    assert "now with the network" in mail_text(outbox[-1])
    # The link is spent.
    assert client.get(path).status_code == 404
    assert [row.action for row in audit_rows("application.confirmed")] == ["application.confirmed"]


def test_invalid_form_keeps_the_draft_with_400(client):
    data = dict(FORM, motivation="short")
    response = client.post("/apply", data=data)
    assert response.status_code == 400
    assert "Bundesamt für Justiz" in response.text
    assert applications() == []


def test_honeypot_stores_nothing_and_answers_the_same(client, outbox):
    response = client.post("/apply", data=dict(FORM, website="http://spam.example"))
    assert response.headers["Location"] == "/apply/sent"
    assert applications() == []
    assert outbox == []


def test_address_with_an_account_gets_no_link(client, outbox, member):
    response = client.post("/apply", data=dict(FORM, email=member.email.upper()))
    assert response.headers["Location"] == "/apply/sent"
    assert applications() == []
    assert outbox == []


def test_rate_limited_per_ip(app_factory, app):
    limited = app_factory(APPLY_IP_LIMIT="3 per hour", APPLY_DOMAIN_LIMIT="100 per day")
    client = limited.test_client()
    answers = [
        client.post("/apply", data=dict(FORM, email=f"a{i}@x{i}.example")).status_code
        for i in range(5)
    ]
    assert answers == [302, 302, 302, 429, 429]
    # Another address (IP) is not affected.
    other = client.post(
        "/apply", data=dict(FORM, email="b@y.example"), environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 302


def test_rate_limited_per_email_domain(app_factory, app):
    limited = app_factory(APPLY_IP_LIMIT="100 per hour", APPLY_DOMAIN_LIMIT="2 per day")
    client = limited.test_client()
    answers = [
        client.post(
            "/apply",
            data=dict(FORM, email=f"p{i}@spam.example"),
            environ_base={"REMOTE_ADDR": f"10.0.1.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert answers == [302, 302, 429, 429]
    assert len(applications()) == 2
    fine = client.post("/apply", data=dict(FORM, email="p@other.example"))
    assert fine.status_code == 302


def test_unconfirmed_applications_are_in_no_queue(as_user, moderator):
    make_application(status=ApplicationStatus.UNCONFIRMED, email="hidden@x.example")
    staff = as_user(moderator)
    assert "hidden@x.example" not in staff.get("/moderation/applications").text
    assert staff.get(f"/moderation/applications/{applications()[0].id}").status_code == 404


def test_focal_point_sees_and_vouches_only_for_their_state(as_user, focal_fr, focal_de):
    french = make_application(state_code="FR")
    german = make_application(state_code="DE")
    client = as_user(focal_fr)
    queue = client.get("/moderation/applications")
    assert queue.status_code == 200
    assert french.email in queue.text
    assert german.email not in queue.text
    assert client.get(f"/moderation/applications/{german.id}").status_code == 403
    assert client.post(f"/moderation/applications/{german.id}/vouch").status_code == 403
    assert client.get(f"/moderation/applications/{french.id}").status_code == 200
    assert client.post(f"/moderation/applications/{french.id}/vouch").status_code == 302
    db.session.expire_all()
    assert french.vouched_by_id == focal_fr.id
    assert german.vouched_by_id is None
    # A focal point vouches; only moderators decide.
    assert client.post(f"/moderation/applications/{french.id}/approve").status_code == 403
    assert (
        client.post(
            f"/moderation/applications/{french.id}/reject", data={"reject-reason": "no"}
        ).status_code
        == 403
    )


def test_members_cannot_reach_the_queue(as_user, member):
    application = make_application()
    client = as_user(member)
    assert client.get("/moderation/applications").status_code == 403
    assert client.post(f"/moderation/applications/{application.id}/vouch").status_code == 403


def test_two_person_rule_needs_the_focal_points_vouch(as_user, moderator, focal_fr, outbox):
    application = make_application(state_code="FR")
    staff = as_user(moderator)
    refused = staff.post(f"/moderation/applications/{application.id}/approve")
    assert refused.status_code == 409
    assert "must vouch" in refused.text
    assert outbox == []
    as_user(focal_fr).post(f"/moderation/applications/{application.id}/vouch")
    assert staff.post(f"/moderation/applications/{application.id}/approve").status_code == 302
    db.session.expire_all()
    assert application.status == ApplicationStatus.APPROVED
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.user.email == application.email
    assert invitation.user.state_code == "FR"
    assert invitation.invited_by_id == moderator.id
    assert link_path(outbox[-1], "/auth/invitation/")


def test_without_a_focal_point_a_moderator_approves_alone(as_user, moderator, outbox):
    application = make_application(state_code="IT")
    response = as_user(moderator).post(f"/moderation/applications/{application.id}/approve")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == application.email))
    assert [r.action for r in audit_rows("application.approved")] == ["application.approved"]


def test_two_person_rule_can_be_turned_off(app_factory, app, moderator, focal_fr, outbox):
    relaxed = app_factory(APPLICATIONS_TWO_PERSON_RULE=False)
    application = make_application(state_code="FR")

    staff = signed_in_client(relaxed, moderator)
    assert staff.post(f"/moderation/applications/{application.id}/approve").status_code == 302


def test_reject_mails_the_reason_and_needs_one(as_user, moderator, outbox):
    application = make_application(state_code="IT")
    staff = as_user(moderator)
    missing = staff.post(f"/moderation/applications/{application.id}/reject")
    assert missing.status_code == 400
    answer = staff.post(
        f"/moderation/applications/{application.id}/reject",
        data={"reject-reason": "Please apply with your official address."},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert application.status == ApplicationStatus.REJECTED
    assert "Please apply with your official address." in mail_text(outbox[-1])
    again = staff.post(
        f"/moderation/applications/{application.id}/reject", data={"reject-reason": "x"}
    )
    assert again.status_code == 409


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_queue_tabs(as_user, moderator, status):
    decided = make_application(state_code="IT", status=status)
    page = as_user(moderator).get(f"/moderation/applications?status={status}")
    assert decided.email in page.text


def test_one_request_per_address(client, outbox):
    client.post("/apply", data=FORM)
    first = link_path(outbox[-1], "/apply/confirm/")
    client.post("/apply", data=FORM)
    second = link_path(outbox[-1], "/apply/confirm/")
    assert len(applications()) == 1
    assert client.get(first).status_code == 404  # replaced by the newer link
    client.post(second)
    outbox.clear()
    client.post("/apply", data=FORM)
    assert outbox == []
    assert [a.status for a in applications()] == ["pending"]
