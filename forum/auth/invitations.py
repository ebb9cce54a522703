"""Invitations: the only way into Liaison (single-use, hashed, expiring, revocable links).

Moderators and administrators invite from the UI, the CLI bootstraps the first
administrator, and approved applications (moderation) invite through the same functions.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum import mail
from forum.auth.actions import ActionError
from forum.auth.actions import check_new_password
from forum.auth.actions import external_url
from forum.auth.actions import find_user_by_email
from forum.auth.models import Invitation
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.models import UserSession
from forum.auth.passwords import hash_password
from forum.auth.sessions import revoke_all
from forum.auth.sessions import start_session
from forum.db_types import utcnow
from forum.extensions import db
from forum.security import audit
from forum.security.crypto import new_token
from forum.security.crypto import token_hash

# Who may hand out which role in an invitation.
_INVITABLE_ROLES = {
    Role.ADMIN: set(Role),
    Role.MODERATOR: {Role.MEMBER, Role.FOCAL_POINT},
}


def check_invitation(inviter: User | None, email: str, role: str, state_code: str | None) -> None:
    try:
        role = Role(role)
    except ValueError:
        raise ActionError(_("Unknown role.")) from None
    if inviter is not None and role not in _INVITABLE_ROLES.get(Role(inviter.role), set()):
        raise ActionError(_("You may not invite someone with this role."), status=403)
    if role not in (Role.ADMIN, Role.MODERATOR) and not state_code:
        raise ActionError(_("Members and focal points belong to a State: choose one."))
    existing = find_user_by_email(email)
    if existing is not None and existing.status != Status.INVITED:
        raise ActionError(_("This address already belongs to an account."))
    if (
        existing is not None
        and inviter is not None
        and Role(existing.role) not in _INVITABLE_ROLES.get(Role(inviter.role), set())
    ):
        # Re-inviting would replace a pending invitation this inviter could not have sent.
        raise ActionError(_("You may not invite someone with this role."), status=403)


def do_invite(
    inviter: User | None,
    email: str,
    *,
    role: str = Role.MEMBER,
    state_code: str | None = None,
    authority_name: str = "",
) -> tuple[Invitation, str]:
    """Create (or renew) an invited account and a single-use link; returns it and the link."""
    invitation, token = prepare_invitation(
        inviter, email, role=role, state_code=state_code, authority_name=authority_name
    )
    user = invitation.user
    audit.record(
        "invitation.created", actor=inviter, target=invitation, email=user.email, role=user.role
    )
    db.session.commit()
    return invitation, send_invitation(inviter, invitation, token)


def prepare_invitation(
    inviter: User | None,
    email: str,
    *,
    role: str = Role.MEMBER,
    state_code: str | None = None,
    authority_name: str = "",
) -> tuple[Invitation, str]:
    """Check and stage an invitation in the caller's transaction: no audit row, no commit.

    For a caller whose own decision is the audited act (approving an application): it
    records one entry naming the invitation, commits, then calls :func:`send_invitation`.
    """
    check_invitation(inviter, email, role, state_code)
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, status=Status.INVITED)
        db.session.add(user)
    user.role = role
    user.state_code = state_code or None
    user.authority_name = authority_name
    db.session.flush()
    now = utcnow()
    # Only the newest link works: older pending ones for the same person are revoked.
    db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.user_id == user.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = new_token()
    invitation = Invitation(
        user_id=user.id,
        token_hash=token_hash(token),
        invited_by_id=inviter.id if inviter else None,
        created_at=now,
        expires_at=now + current_app.config["INVITATION_LIFETIME"],
    )
    invitation.user = user
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def send_invitation(inviter: User | None, invitation: Invitation, token: str) -> str:
    """Mail the link of a committed invitation; returns the link."""
    link = external_url("auth.accept_invitation", token=token)
    mail.send(
        invitation.user.email,
        _("You are invited to Liaison"),
        "invitation",
        link=link,
        inviter=inviter,
        expires_at=invitation.expires_at,
    )
    return link


def find_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or not invitation.is_usable(utcnow()):
        return None
    return invitation


def do_revoke_invitation(actor: User | None, invitation: Invitation) -> None:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ActionError(_("This invitation is no longer pending."))
    invitation.revoked_at = utcnow()
    audit.record("invitation.revoked", actor=actor, target=invitation, email=invitation.user.email)
    db.session.commit()


def do_accept_invitation(
    invitation: Invitation, display_name: str, password: str, confirmation: str
) -> UserSession:
    """Set name and password, then hand over a session that can only enrol a second factor."""
    user = invitation.user
    display_name = display_name.strip()
    if not display_name:
        raise ActionError(_("Enter your name as colleagues should see it."))
    user.display_name = display_name
    check_new_password(user, password, confirmation)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    # A new invitation replaces any second factor the account had before.
    user.totp_secret_encrypted = None
    user.totp_enrolled_at = None
    invitation.accepted_at = utcnow()
    revoke_all(user, "invitation_accepted")
    record = start_session(user, mfa_complete=False)
    audit.record("invitation.accepted", actor=user, target=invitation)
    db.session.commit()
    return record
