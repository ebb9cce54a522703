"""Invitations: who may invite whom, the single-use hashed link, acceptance, CLI, audit."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from forum.auth.models import Invitation
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.passwords import verify_password
from forum.db_types import utcnow
from forum.extensions import db
from forum.security.crypto import token_hash
from tests.auth.helpers import audit_actions
from tests.auth.helpers import audit_rows
from tests.auth.helpers import link_path
from tests.auth.helpers import log_in
from tests.auth.helpers import mail_text

NEW_PASSWORD = "granite lantern orchard vessel"
GUEST = "guest@ministry.example"


def invite(
    client,
    email: str = GUEST,
    role: str = "member",
    state_code: str = "FR",
    authority_name: str = "Parquet national financier",
):
    return client.post(
        "/moderation/invitations",
        data={
            "email": email,
            "role": role,
            "state_code": state_code,
            "authority_name": authority_name,
        },
    )


def accept(client, path: str, name: str = "Guy Guest", password: str = NEW_PASSWORD):
    return client.post(
        path, data={"display_name": name, "password": password, "confirmation": password}
    )


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def invitations_for(email: str) -> list[Invitation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .join(Invitation.user)
            .where(User.email == email)
            .order_by(Invitation.id)
        )
    )


@pytest.fixture
def staff_client(client, moderator):
    """The default client, signed in as a moderator."""
    assert log_in(client, moderator).status_code == 302
    return client


@pytest.fixture
def invitation_link(staff_client, outbox):
    """The path of a fresh member invitation's link, as mailed."""
    assert invite(staff_client).status_code == 302
    return link_path(outbox[-1], "/auth/invitation/")


def test_moderator_invitation_mails_a_working_link(app, staff_client, moderator, outbox):
    response = invite(staff_client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/invitations"
    assert len(outbox) == 1
    assert outbox[0]["To"] == GUEST
    path = link_path(outbox[0], "/auth/invitation/")
    assert f"{app.config['BASE_URL']}{path}" in mail_text(outbox[0])

    page = app.test_client().get(path)
    assert page.status_code == 200
    assert GUEST in page.text
    assert "Parquet national financier" in page.text

    invited = user_by_email(GUEST)
    assert (invited.role, invited.status) == (Role.MEMBER, Status.INVITED)
    assert (invited.state_code, invited.authority_name) == ("FR", "Parquet national financier")
    [created] = audit_rows("invitation.created")
    assert created.actor_id == moderator.id
    assert created.details_dict == {"email": GUEST, "role": "member"}


def test_link_works_once(app, invitation_link):
    browser = app.test_client()
    assert accept(browser, invitation_link).status_code == 302
    assert app.test_client().get(invitation_link).status_code == 404
    second = accept(app.test_client(), invitation_link, password="another long passphrase here")
    assert second.status_code == 404
    assert verify_password(user_by_email(GUEST).password_hash, NEW_PASSWORD)


def test_expired_link_is_not_found(app, invitation_link):
    [invitation] = invitations_for(GUEST)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert app.test_client().get(invitation_link).status_code == 404
    assert accept(app.test_client(), invitation_link).status_code == 404
    assert user_by_email(GUEST).password_hash is None


def test_revoked_link_is_not_found(app, staff_client, moderator, invitation_link):
    [invitation] = invitations_for(GUEST)
    response = staff_client.post(f"/moderation/invitations/{invitation.id}/revoke")
    assert response.status_code == 302
    assert app.test_client().get(invitation_link).status_code == 404
    assert accept(app.test_client(), invitation_link).status_code == 404
    [revoked] = audit_rows("invitation.revoked")
    assert (revoked.actor_id, revoked.target_id) == (moderator.id, str(invitation.id))


def test_reinviting_revokes_the_older_pending_link(app, staff_client, outbox):
    assert invite(staff_client).status_code == 302
    assert invite(staff_client, authority_name="Ministère de la Justice").status_code == 302
    older, newer = (link_path(message, "/auth/invitation/") for message in outbox)
    assert older != newer
    assert app.test_client().get(older).status_code == 404
    assert app.test_client().get(newer).status_code == 200
    first, second = invitations_for(GUEST)
    assert first.revoked_at is not None and second.revoked_at is None
    assert user_by_email(GUEST).authority_name == "Ministère de la Justice"
    assert audit_actions().count("invitation.created") == 2


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_cannot_invite_staff(staff_client, outbox, role):
    response = invite(staff_client, email="ambitious@example.org", role=role, state_code="")
    assert response.status_code == 403
    assert "You may not invite someone with this role." in response.text
    assert user_by_email("ambitious@example.org") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert outbox == []
    assert "invitation.created" not in audit_actions()


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_admins_can_invite_staff(app, client, admin_user, outbox, role):
    assert log_in(client, admin_user).status_code == 302
    response = invite(client, email="staff@example.org", role=role, state_code="")
    assert response.status_code == 302
    assert user_by_email("staff@example.org").role == role
    path = link_path(outbox[-1], "/auth/invitation/")
    assert app.test_client().get(path).status_code == 200


def test_address_of_an_active_account_is_refused(staff_client, member, outbox):
    response = invite(staff_client, email=member.email.upper(), state_code="DE")
    assert response.status_code == 400
    assert "This address already belongs to an account." in response.text
    assert outbox == []
    assert invitations_for(member.email) == []
    assert user_by_email(member.email).state_code == "FR"


def test_accepting_sets_name_and_password_and_leads_only_to_enrolment(app, invitation_link):
    browser = app.test_client()
    response = accept(browser, invitation_link, name="  Guy Guest  ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/enrol"

    user = user_by_email(GUEST)
    assert user.display_name == "Guy Guest"
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.status == Status.INVITED and not user.has_totp
    assert browser.get("/auth/enrol").status_code == 200
    for path in (
        "/",
        "/account/security",
        "/account/password",
        "/account/preferences",
        "/moderation/invitations",
        "/admin/users",
    ):
        answer = browser.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"] == "/auth/enrol", path
    refused = browser.post("/account/sessions/revoke-others")
    assert refused.status_code == 302
    assert refused.headers["Location"] == "/auth/enrol"
    [accepted] = audit_rows("invitation.accepted")
    assert accepted.actor_id == user.id


def test_accepting_refuses_a_weak_password_and_keeps_the_link(app, invitation_link):
    browser = app.test_client()
    response = accept(browser, invitation_link, password="short")
    assert response.status_code == 400
    assert "Use at least 12 characters." in response.text
    assert user_by_email(GUEST).password_hash is None
    assert app.test_client().get(invitation_link).status_code == 200


def test_token_is_stored_hashed(invitation_link):
    token = invitation_link.rsplit("/", 1)[1]
    assert len(token) >= 40
    rows = db.session.execute(sa.select(Invitation.__table__)).all()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert rows[0].token_hash == token_hash(token)


def _printed_link(output: str) -> str:
    [link] = re.findall(r"https?://\S+/auth/invitation/\S+", output)
    return urlsplit(link).path


def test_cli_create_admin_prints_a_working_link(app):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "Boss@Example.org"])
    assert result.exit_code == 0, result.output
    path = _printed_link(result.output)
    browser = app.test_client()
    assert browser.get(path).status_code == 200
    assert accept(browser, path, name="Big Boss").headers["Location"] == "/auth/enrol"
    boss = user_by_email("boss@example.org")
    assert (boss.role, boss.display_name) == (Role.ADMIN, "Big Boss")
    [created] = audit_rows("invitation.created")
    assert created.actor_id is None


def test_cli_invite_prints_a_working_link(app, outbox):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "invite",
            "juge@example.fr",
            "--state",
            "FR",
            "--authority",
            "Cour d'appel de Paris",
            "--role",
            "member",
        ]
    )
    assert result.exit_code == 0, result.output
    path = _printed_link(result.output)
    assert link_path(outbox[-1], "/auth/invitation/") == path
    assert app.test_client().get(path).status_code == 200
    invited = user_by_email("juge@example.fr")
    assert (invited.role, invited.state_code) == (Role.MEMBER, "FR")
    assert invited.authority_name == "Cour d'appel de Paris"
    assert "invitation.created" in audit_actions()


def test_cli_invite_refuses_an_active_account(app, member):
    result = app.test_cli_runner().invoke(args=["users", "invite", member.email, "--state", "FR"])
    assert result.exit_code != 0
    assert "already belongs to an account" in result.output
    assert invitations_for(member.email) == []


def test_moderator_cannot_replace_a_pending_staff_invitation(app, moderator, admin_user, outbox):
    from forum.auth import invitations

    invitations.do_invite(admin_user, "future.admin@example.org", role="admin")
    outbox.clear()
    client = app.test_client()
    log_in(client, moderator)
    response = client.post(
        "/moderation/invitations",
        data={"email": "future.admin@example.org", "role": "member", "state_code": "FR"},
    )
    assert response.status_code == 403
    invited = db.session.scalar(sa.select(User).where(User.email == "future.admin@example.org"))
    db.session.refresh(invited)
    assert invited.role == "admin"
    assert outbox == []
