"""Account business rules: ``check_*`` validate, ``do_*`` change state and audit.

Views and CLI commands call these; none of them commits on failure, and each ``do_*``
commits once, together with its audit row, so nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum import mail
from forum.auth import throttle
from forum.auth import totp
from forum.auth.models import LoginChallenge
from forum.auth.models import PasswordReset
from forum.auth.models import RecoveryCode
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.models import UserSession
from forum.auth.passwords import hash_password
from forum.auth.passwords import needs_rehash
from forum.auth.passwords import password_problems
from forum.auth.passwords import verify_password
from forum.auth.sessions import revoke
from forum.auth.sessions import revoke_all
from forum.auth.sessions import rotate_session
from forum.auth.sessions import start_session
from forum.db_types import utcnow
from forum.extensions import db
from forum.security import audit
from forum.security.crypto import encrypt_secret
from forum.security.crypto import new_token
from forum.security.crypto import token_hash
from forum.security.signals import access_revoked
from forum.security.timing import takes_at_least_configured_time

GENERIC_LOGIN_ERROR = _l("The email, password or authentication code is not correct.")


class ActionError(Exception):
    """A rule refused the request; ``message`` is safe to show to the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == User.normalise_email(email)))


def external_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails and the CLI, built on BASE_URL rather than the request.

    Built from the URL map alone: the CLI (``flask users invite``) has no request to lean on.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


# --- login -----------------------------------------------------------------------------


@dataclass
class LoginStart:
    """What the password step decided: go to the code step, or straight to enrolment."""

    challenge_token: str | None = None
    enrolment_session: UserSession | None = None


def do_begin_login(email: str, password: str) -> LoginStart:
    """Password step. Always leads on to the code step, so no answer tells the password was right.

    The only exception is an account that has never enrolled a second factor: with the
    right password it goes to enrolment, as a first login must.
    """
    email = User.normalise_email(email)
    user = find_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    can_log_in = user is not None and user.status in (Status.ACTIVE, Status.INVITED)
    if password_ok and can_log_in and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if password_ok and can_log_in and not user.has_totp:
        if throttle.seconds_until_allowed(email):
            password_ok = False  # throttled accounts go through the code step's refusal
        else:
            throttle.clear_failures(email)
            record = start_session(user, mfa_complete=False)
            audit.record("login.password_for_enrolment", actor=user, target=user)
            db.session.commit()
            return LoginStart(enrolment_session=record)
    token = new_token()
    db.session.add(
        LoginChallenge(
            token_hash=token_hash(token),
            email=email,
            user_id=user.id if user else None,
            password_ok=password_ok,
            expires_at=utcnow() + current_app.config["LOGIN_CHALLENGE_LIFETIME"],
        )
    )
    db.session.commit()
    return LoginStart(challenge_token=token)


def find_challenge(token: str | None) -> LoginChallenge | None:
    if not token:
        return None
    challenge = db.session.scalar(
        sa.select(LoginChallenge).where(LoginChallenge.token_hash == token_hash(token))
    )
    if challenge is None or utcnow() >= challenge.expires_at:
        return None
    return challenge


def _verify_second_factor(user: User, code: str) -> str | None:
    """Return "totp" or "recovery_code" for the factor that matched, else None."""
    normalised = totp.normalise_code(code)
    if totp.looks_like_totp(normalised):
        return "totp" if totp.verify_totp(user, normalised) else None
    if totp.use_recovery_code(user, normalised):
        return "recovery_code"
    return None


def do_complete_login(challenge: LoginChallenge, code: str) -> UserSession:
    """Code step: both factors right → a full session; anything wrong → one generic error."""
    wait = throttle.seconds_until_allowed(challenge.email)
    if wait:
        raise ActionError(
            _(
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                minutes=max(1, round(wait / 60)),
            ),
            status=429,
        )
    user = db.session.get(User, challenge.user_id) if challenge.user_id else None
    factor = None
    if user is not None and challenge.password_ok:
        factor = _verify_second_factor(user, code)
    if factor is None:
        db.session.rollback()
        throttle.record_failure(challenge.email)
        audit.record(
            "login.failure",
            actor=user,
            target_type="user",
            target_id=user.id if user else None,
            email=challenge.email,
        )
        db.session.commit()
        raise ActionError(str(GENERIC_LOGIN_ERROR), status=400)
    if user.status != Status.ACTIVE:
        db.session.rollback()
        raise ActionError(
            _("This account is not active. Contact the network's moderators."), status=403
        )
    db.session.delete(challenge)
    throttle.clear_failures(challenge.email)
    record = start_session(user, mfa_complete=True)
    audit.record("login.success", actor=user, target=user, factor=factor)
    if factor == "recovery_code":
        audit.record(
            "recovery_code.used",
            actor=user,
            target=user,
            remaining=totp.remaining_recovery_codes(user),
        )
    db.session.commit()
    return record


def do_reauthenticate(record: UserSession, password: str, code: str) -> UserSession:
    """Confirm password + code again; returns the new session that replaces ``record``."""
    user = record.user
    email = user.email
    if throttle.seconds_until_allowed(email):
        raise ActionError(_("Too many failed attempts. Try again later."), status=429)
    password_ok = verify_password(user.password_hash, password)
    if not (password_ok and _verify_second_factor(user, code)):
        db.session.rollback()
        throttle.record_failure(email)
        audit.record("reauth.failure", actor=user, target=user)
        db.session.commit()
        raise ActionError(str(_("The password or authentication code is not correct.")))
    new_record = rotate_session(record, "reauthenticated")
    audit.record("reauth.success", actor=user, target=user)
    db.session.commit()
    return new_record


# --- two-factor enrolment ----------------------------------------------------------------


def do_confirm_totp_enrolment(
    record: UserSession, secret: str, code: str
) -> tuple[UserSession, list[str]]:
    """Activate a new TOTP secret once the user proves their app produces its codes.

    Returns the (possibly new) session and the fresh recovery codes to show once.
    """
    user = record.user
    step = totp.matching_step(secret, totp.normalise_code(code))
    if step is None:
        raise ActionError(
            _("That code does not match. Check the time on your device and try again.")
        )
    first_enrolment = not user.has_totp
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    if user.status == Status.INVITED:
        user.status = Status.ACTIVE
    codes = totp.new_recovery_codes(user)
    if record.mfa_complete:
        # A changed second factor ends every other session, like a password change.
        revoke_all(user, "second_factor_changed", keep=record)
        new_record = record
    else:
        new_record = rotate_session(record, "upgraded")
    audit.record("2fa.enrolled" if first_enrolment else "2fa.changed", actor=user, target=user)
    db.session.commit()
    return new_record, codes


def do_regenerate_recovery_codes(user: User) -> list[str]:
    codes = totp.new_recovery_codes(user)
    audit.record("recovery_codes.regenerated", actor=user, target=user)
    db.session.commit()
    return codes


def do_admin_reset_second_factor(admin: User, user: User, reason: str) -> None:
    """Lost phone: only an admin may clear a second factor; the user re-enrols at next login."""
    if not admin.is_admin:
        raise ActionError(_("Only an administrator can reset a second factor."), status=403)
    if not reason.strip():
        raise ActionError(_("Give a reason."))
    user.totp_secret_encrypted = None
    user.totp_enrolled_at = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    revoke_all(user, "second_factor_reset")
    audit.record("2fa.reset_by_admin", actor=admin, target=user, reason=reason.strip())
    db.session.commit()
    # Open sockets go too (the chat layer listens), not only HTTP sessions.
    access_revoked(current_app._get_current_object(), user.id, "second_factor_reset")
    mail.send(user.email, _("Your second factor was reset"), "second_factor_reset", user=user)


# --- passwords ---------------------------------------------------------------------------


def check_new_password(user: User, password: str, confirmation: str) -> None:
    if password != confirmation:
        raise ActionError(_("The two passwords do not match."))
    problems = password_problems(password, email=user.email, display_name=user.display_name)
    if problems:
        raise ActionError(" ".join(problems))


def _spend_reset_links(user: User) -> None:
    """A new password makes every reset link sent before it useless."""
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def do_change_password(
    record: UserSession, current_password: str, new: str, confirmation: str
) -> None:
    user = record.user
    if not verify_password(user.password_hash, current_password):
        raise ActionError(_("The current password is not correct."))
    check_new_password(user, new, confirmation)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    _spend_reset_links(user)
    ended = revoke_all(user, "password_changed", keep=record)
    audit.record("password.changed", actor=user, target=user, sessions_ended=ended)
    db.session.commit()
    mail.send(user.email, _("Your Liaison password was changed"), "password_changed", user=user)


@takes_at_least_configured_time
def do_request_password_reset(email: str) -> None:
    """Send a reset link if the address belongs to an active account; say nothing either way."""
    user = find_user_by_email(email)
    # Without an enrolled second factor the mailbox alone would be enough to take the
    # account; such users ask an administrator instead.
    if (
        user is None
        or user.status != Status.ACTIVE
        or user.password_hash is None
        or not user.has_totp
    ):
        return
    token = new_token()
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_hash(token),
            expires_at=utcnow() + current_app.config["PASSWORD_RESET_LIFETIME"],
        )
    )
    audit.record("password.reset_requested", actor=None, target=user)
    db.session.commit()
    mail.send(
        user.email,
        _("Reset your Liaison password"),
        "password_reset",
        user=user,
        link=external_url("auth.reset_password", token=token),
    )


def find_password_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(
        sa.select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or utcnow() >= reset.expires_at:
        return None
    if reset.user.status != Status.ACTIVE:
        return None
    return reset


def do_reset_password(reset: PasswordReset, new: str, confirmation: str, code: str) -> None:
    """Set a new password from a reset link; the second factor is still required."""
    user = reset.user
    # The link must not become a way around the login throttle to guess codes.
    if throttle.seconds_until_allowed(user.email):
        raise ActionError(_("Too many failed attempts. Try again later."), status=429)
    check_new_password(user, new, confirmation)
    if user.has_totp and _verify_second_factor(user, code) is None:
        db.session.rollback()
        throttle.record_failure(user.email)
        db.session.commit()
        raise ActionError(str(_("The authentication code is not correct.")))
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    reset.used_at = utcnow()
    _spend_reset_links(user)
    ended = revoke_all(user, "password_reset")
    audit.record("password.reset", actor=user, target=user, sessions_ended=ended)
    db.session.commit()
    mail.send(user.email, _("Your Liaison password was changed"), "password_changed", user=user)


# --- sessions and profile ----------------------------------------------------------------


def do_revoke_session(user: User, session_id: int) -> None:
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        raise ActionError(_("That session does not exist or has already ended."), status=404)
    revoke(record, "revoked_by_user")
    audit.record("session.revoked", actor=user, target=user, session_id=session_id)
    db.session.commit()


def do_admin_end_sessions(admin: User, user: User) -> int:
    """An administrator ends every session of one user (ASVS 7.4.5), e.g. a stolen laptop."""
    if not admin.is_admin:
        raise ActionError(_("Only an administrator can end someone's sessions."), status=403)
    ended = revoke_all(user, "ended_by_admin")
    audit.record("session.ended_by_admin", actor=admin, target=user, count=ended)
    db.session.commit()
    access_revoked(current_app._get_current_object(), user.id, "ended_by_admin")
    return ended


def do_revoke_other_sessions(record: UserSession) -> int:
    ended = revoke_all(record.user, "revoked_by_user", keep=record)
    audit.record("session.revoked_others", actor=record.user, target=record.user, count=ended)
    db.session.commit()
    return ended


def do_request_email_change(user: User, new_email: str) -> None:
    """Send a confirmation link to the new address; the old one is told, nothing changes yet.

    Proving control of the new mailbox keeps a typo (or an intruder) from moving the
    account to an address its owner cannot read.
    """
    new_email = User.normalise_email(new_email)
    if "@" not in new_email or len(new_email) > 254:
        raise ActionError(_("Enter a valid email address."))
    if new_email == user.email:
        raise ActionError(_("That is already your address."))
    if find_user_by_email(new_email) is not None:
        raise ActionError(_("This address already belongs to an account."))
    token = new_token()
    user.pending_email = new_email
    user.email_change_token_hash = token_hash(token)
    user.email_change_expires_at = utcnow() + current_app.config["EMAIL_CHANGE_LIFETIME"]
    audit.record("email.change_requested", actor=user, target=user, new=new_email)
    db.session.commit()
    mail.send(
        new_email,
        _("Confirm your new Liaison email address"),
        "email_change_confirm",
        user=user,
        link=external_url("account.confirm_email", token=token),
    )
    mail.send(
        user.email,
        _("A change of your Liaison email address was requested"),
        "email_change_requested",
        user=user,
        new_email=new_email,
    )


def check_email_change_token(user: User, token: str) -> None:
    if (
        user.email_change_token_hash is None
        or user.email_change_token_hash != token_hash(token)
        or user.email_change_expires_at is None
        or utcnow() >= user.email_change_expires_at
    ):
        raise ActionError(_("This confirmation link is not valid any more."), status=404)


def do_confirm_email_change(user: User, token: str) -> None:
    check_email_change_token(user, token)
    new_email = user.pending_email
    if find_user_by_email(new_email) is not None:
        raise ActionError(_("This address already belongs to an account."))
    old_email = user.email
    user.email = new_email
    user.pending_email = None
    user.email_change_token_hash = None
    user.email_change_expires_at = None
    audit.record("email.changed", actor=user, target=user, old=old_email, new=new_email)
    db.session.commit()
    mail.send(
        old_email,
        _("Your Liaison email address was changed"),
        "email_changed",
        user=user,
        old_email=old_email,
        new_email=new_email,
    )


def do_set_language(user: User, language: str | None) -> None:
    if language and language not in current_app.config["LANGUAGES"]:
        raise ActionError(_("That language is not available."))
    user.preferred_language = language or None
    db.session.commit()
