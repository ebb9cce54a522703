"""Builders for test data that read like sentences: ``make_user(role=Role.MODERATOR)``."""

from __future__ import annotations

import itertools
import time

import pyotp

from forum.auth import totp
from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.passwords import hash_password
from forum.db_types import utcnow
from forum.extensions import db
from forum.security.crypto import encrypt_secret

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(
    *,
    email: str | None = None,
    display_name: str | None = None,
    role: Role | str = Role.MEMBER,
    status: Status | str = Status.ACTIVE,
    state_code: str | None = "FR",
    authority_name: str = "Ministry of Justice",
    password: str | None = DEFAULT_PASSWORD,
    enrolled: bool = True,
) -> User:
    """An account as it is after invitation, password and (unless ``enrolled=False``) TOTP."""
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        display_name=display_name or f"User {n}",
        role=role,
        status=status,
        state_code=state_code,
        authority_name=authority_name,
        password_hash=hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    secret = None
    if enrolled:
        secret = totp.new_secret()
        user.totp_secret_encrypted = encrypt_secret(secret)
        user.totp_enrolled_at = utcnow()
    db.session.add(user)
    db.session.commit()
    # Tests need the plain values; they never leave the test process.
    user.test_password = password
    user.test_totp_secret = secret
    return user


def totp_code(user: User, *, step: int | None = None) -> str:
    """A code the server will accept: the current or next time step, if not used yet.

    The previous step is never offered: the window could turn between here and the
    request and push it out of the ±1 drift. When both usable steps are spent we rewind
    the user's last-used step, which is test set-up, not a path the app offers.
    """
    current = int(time.time() // totp.STEP_SECONDS)
    if step is None:
        db.session.refresh(user)
        step = next((s for s in (current, current + 1) if s > user.totp_last_step), None)
        if step is None:
            user.totp_last_step = current - 1
            db.session.commit()
            step = current
    return pyotp.TOTP(user.test_totp_secret).at(step * totp.STEP_SECONDS)
