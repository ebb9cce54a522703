"""Random tokens, their stored hashes, and encryption of secrets at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def new_token() -> str:
    """A 256-bit URL-safe random token for links and session cookies."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What we store for a high-entropy token: a leaked table yields no usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(label: bytes, secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 under a key derived from SECRET_KEY, for short codes that must be looked up."""
    key = _derive(b"liaison keyed hash", current_app.config["SECRET_KEY"])
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    configured = current_app.config.get("TOTP_ENCRYPTION_KEY")
    if configured:
        key = _derive(b"liaison totp", configured)
    else:
        key = _derive(b"liaison totp", current_app.config["SECRET_KEY"])
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt_secret(ciphertext: str) -> str:
    return _fernet().decrypt(ciphertext.encode()).decode()
