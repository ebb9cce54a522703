"""Configuration classes, read from the environment.

Development keeps a generated secret key under ``instance/`` so restarts do not log
everyone out; production refuses to start without explicit secrets.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("LIAISON_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def database_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _persistent_dev_secret(filename: str) -> str:
    """Return a random secret kept in the instance folder, creating it on first use."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings shared by every environment; subclasses override what differs."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Separate key for TOTP secrets at rest; derived from SECRET_KEY when unset.
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'liaison.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    LANGUAGES = ("en", "fr", "es")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Sessions: a signed cookie carries only an opaque token; the record lives in the database.
    SESSION_COOKIE_NAME = "liaison_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 12))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_LIFETIME
    # The cookie is set when its contents change (login), not re-signed on every response:
    # the server-side record enforces idle and absolute timeouts; the cookie's own expiry
    # (the absolute lifetime from login) only tidies the browser.
    SESSION_REFRESH_EACH_REQUEST = False
    # Re-authentication is required before sensitive account changes.
    REAUTH_WINDOW = timedelta(minutes=10)
    LOGIN_CHALLENGE_LIFETIME = timedelta(minutes=5)

    INVITATION_LIFETIME = timedelta(days=_env_int("INVITATION_DAYS", 7))
    PASSWORD_RESET_LIFETIME = timedelta(hours=1)
    EMAIL_CHANGE_LIFETIME = timedelta(hours=24)

    # Argon2id: RFC 9106 "second recommended" profile, above the ASVS/OWASP minimum
    # (m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 256

    # Brute-force limits. Account tiers grow the delay without a permanent lockout.
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_IP_LIMIT = os.environ.get("LOGIN_IP_LIMIT", "30 per 15 minutes")
    LOGIN_ACCOUNT_LIMITS = ("5 per 15 minutes", "10 per hour", "20 per day")
    RESET_IP_LIMIT = "10 per hour"
    # Asking for a reset or for access answers no sooner than this, found address or not.
    EMAIL_LOOKUP_MIN_SECONDS = 0.25

    WTF_CSRF_TIME_LIMIT = None  # bound to the session instead, which expires on its own
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")  # smtp | outbox | memory
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Liaison <no-reply@localhost>")
    MAIL_OUTBOX_DIR = str(INSTANCE_DIR / "outbox")

    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
    HSTS = False
    DEMO_DATA_ALLOWED = False

    # Membership and moderation.
    APPLY_IP_LIMIT = os.environ.get("APPLY_IP_LIMIT", "5 per hour")
    APPLY_DOMAIN_LIMIT = os.environ.get("APPLY_DOMAIN_LIMIT", "20 per day")
    # A State with a focal point: a moderator approves only after the focal point vouched.
    APPLICATIONS_TWO_PERSON_RULE = os.environ.get("APPLICATIONS_TWO_PERSON_RULE", "1") == "1"
    MEMBERS_INACTIVE_DAYS = _env_int("MEMBERS_INACTIVE_DAYS", 180)
    MEMBERS_REVIEW_DAYS = _env_int("MEMBERS_REVIEW_DAYS", 365)
    # The audit viewer walks the whole hash chain at most this often, new rows every time.
    AUDIT_FULL_VERIFY_SECONDS = _env_int("AUDIT_FULL_VERIFY_SECONDS", 300)

    # Directory: entries unchecked for longer than this are marked stale; reminders at most
    # once per interval per State.
    DIRECTORY_STALE_DAYS = _env_int("DIRECTORY_STALE_DAYS", 182)
    DIRECTORY_REMINDER_INTERVAL_DAYS = _env_int("DIRECTORY_REMINDER_INTERVAL_DAYS", 30)
    # Posts per thread page (bench/http_load.py measures pages of 100).
    DISCUSSIONS_PAGE_SIZE = _env_int("DISCUSSIONS_PAGE_SIZE", 25)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")
    DEMO_DATA_ALLOWED = True

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _persistent_dev_secret("secret_key")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_BACKEND = "memory"
    # Cheaper argon2id keeps the suite fast; the algorithm and code path are the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    RATELIMIT_STORAGE_URI = "memory://"
    EMAIL_LOOKUP_MIN_SECONDS = 0  # tests that need the floor set it
    DEMO_DATA_ALLOWED = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-liaison"
    SESSION_COOKIE_SECURE = True
    HSTS = True

    def __init__(self) -> None:
        # Read when the app starts, not when this module is imported: the environment the
        # process starts with is the one that counts.
        required = ("SECRET_KEY", "TOTP_ENCRYPTION_KEY")
        for name in required:
            setattr(self, name, os.environ.get(name))
        missing = [name for name in required if not getattr(self, name)]
        if missing:
            raise RuntimeError(
                "Production refuses to start without " + ", ".join(missing) + " in the environment."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
