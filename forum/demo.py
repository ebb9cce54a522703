"""Demo people for a development machine.

Passwords are random per machine and kept in ``instance/demo-credentials.txt``
(readable by the owner only). Demo accounts have no second factor yet: like anyone,
they enrol an authenticator app at first login.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from forum.auth.models import Role
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.passwords import hash_password
from forum.db_types import utcnow
from forum.extensions import db
from forum.security import audit

DEMO_PEOPLE = [
    # email, name, State, authority, role
    ("admin@demo.liaison.test", "Demo Administrator", None, "Liaison secretariat", Role.ADMIN),
    (
        "ana.moreno@demo.liaison.test",
        "Ana Moreno",
        "ES",
        "Ministry of Justice — International Legal Cooperation (demo)",
        Role.MEMBER,
    ),
    (
        "kwame.mensah@demo.liaison.test",
        "Kwame Mensah",
        "GH",
        "Office of the Attorney-General — Mutual Legal Assistance Unit (demo)",
        Role.FOCAL_POINT,
    ),
]


def _credentials_path() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def load(*, if_empty: bool) -> None:
    if not current_app.config.get("DEMO_DATA_ALLOWED"):
        raise click.ClickException("Demo data is only for development (LIAISON_ENV=development).")
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        print_credentials()
        return
    lines = []
    for email, name, state, authority, role in DEMO_PEOPLE:
        password = "-".join(secrets.token_hex(3) for _ in range(4))
        user = User(
            email=email,
            display_name=name,
            state_code=state,
            authority_name=authority,
            role=role,
            status=Status.ACTIVE,
            password_hash=hash_password(password),
            password_changed_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        audit.record("demo.user_created", target=user, role=user.role)
        lines.append(f"{email}  {password}  ({role.value})")
    db.session.commit()
    _load_directory()
    _load_moderation()
    _load_discussions()
    _load_chat()
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    print_credentials()


def _load_directory() -> None:
    """Ten demo States in the directory (one restricted), edited by the demo administrator."""
    from forum.directory import demo as directory_demo

    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).limit(1))
    directory_demo.load(admin)


def _load_moderation() -> None:
    """Pending demo applications for the moderators' queue."""
    from forum.moderation import demo as moderation_demo

    moderation_demo.load()


def _load_discussions() -> None:
    """Demo threads, replies, a case example and one private space."""
    from forum.discussions import demo as discussions_demo

    discussions_demo.load()


def _load_chat() -> None:
    """A direct conversation between two demo members."""
    from forum.chat import demo as chat_demo

    chat_demo.load()


def print_credentials() -> None:
    path = _credentials_path()
    if not path.exists():
        click.echo(
            "No demo credentials on this machine (the database was not seeded by demo load)."
        )
        return
    base = current_app.config["BASE_URL"]
    click.echo("")
    click.echo(f"Liaison is starting on {base}/auth/login")
    click.echo("Demo logins (email, password, role):")
    for line in path.read_text().splitlines():
        click.echo("  " + line)
    click.echo("At first login each account enrols an authenticator app (any TOTP app, e.g.")
    click.echo("Aegis, FreeOTP, Google Authenticator): scan the QR code or type the secret shown.")
    click.echo("E-mails (invitations, resets) are written to instance/outbox/.")
    click.echo("")
