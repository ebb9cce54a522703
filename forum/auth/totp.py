"""Time-based one-time passwords (RFC 6238) with replay protection and recovery codes."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from forum.auth.models import RecoveryCode
from forum.auth.models import User
from forum.db_types import utcnow
from forum.extensions import db
from forum.security.crypto import decrypt_secret
from forum.security.crypto import keyed_hash

ISSUER = "Liaison"
STEP_SECONDS = 30
# One step either side absorbs clock drift between the server and the phone.
ALLOWED_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """An inline SVG QR code: no image request, nothing for the CSP to allow."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code", dark="#111")


def format_secret(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def looks_like_totp(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals ``code``, within the allowed drift, else None."""
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in range(current - ALLOWED_DRIFT_STEPS, current + ALLOWED_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used, atomically; False when it (or a later one) was used already.

    The conditional UPDATE makes a replay fail even from a concurrent session.
    """
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def verify_totp(user: User, code: str) -> bool:
    if not user.has_totp or not looks_like_totp(code):
        return False
    step = matching_step(decrypt_secret(user.totp_secret_encrypted), code)
    return step is not None and claim_step(user, step)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; returns the plain codes, shown exactly once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=keyed_hash(raw)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code; each works once, even under concurrent attempts."""
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == keyed_hash(normalise_code(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining_recovery_codes_query(user: User) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(remaining_recovery_codes_query(user))
