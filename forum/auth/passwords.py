"""Password hashing (argon2id) and the password policy (length and a common-password list)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# zxcvbn ships the 30,000 most common passwords from real breach corpora.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
CONTEXT_WORDS = frozenset({"liaison", "password", "passwort", "motdepasse", "contrasena"})


@lru_cache(maxsize=8)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher_for(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]
    )


@lru_cache(maxsize=8)
def _dummy_hash_for(hasher: PasswordHasher) -> str:
    return hasher.hash("liaison-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, burn the same time as a real check."""
    hasher = _hasher()
    if stored_hash is None:
        try:
            hasher.verify(_dummy_hash_for(hasher), password)
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def password_problems(password: str, *, email: str = "", display_name: str = "") -> list[str]:
    """Everything wrong with a proposed password, as messages for the user (empty if fine)."""
    cfg = current_app.config
    problems = []
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        problems.append(_("Use at least %(count)d characters.", count=cfg["PASSWORD_MIN_LENGTH"]))
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        problems.append(_("Use at most %(count)d characters.", count=cfg["PASSWORD_MAX_LENGTH"]))
    lowered = password.lower()
    context = set(CONTEXT_WORDS)
    if email:
        context.add(email.lower())
        context.add(email.lower().split("@")[0])
    if display_name:
        context.add(display_name.lower())
    if lowered in COMMON_PASSWORDS or lowered.strip("0123456789!?.") in context | COMMON_PASSWORDS:
        problems.append(_("This password is too common or too easy to guess. Choose another."))
    return problems
