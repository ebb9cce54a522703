"""Command-line tools: ``flask users …``, ``flask audit verify``, ``flask demo load``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from forum.auth import actions
from forum.auth import invitations
from forum.auth.models import Role

users_cli = AppGroup("users", help="Create the first admin, invite people, reset a second factor.")
audit_cli = AppGroup("audit", help="Check the audit log.")
demo_cli = AppGroup("demo", help="Demo data for a development machine.")


@users_cli.command("create-admin")
@click.argument("email")
def create_admin(email: str) -> None:
    """Bootstrap an administrator and print their one-time enrolment link."""
    try:
        _invitation, link = invitations.do_invite(None, email, role=Role.ADMIN)
    except actions.ActionError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Administrator invited: {email}")
    click.echo(f"One-time enrolment link (expires with the invitation): {link}")


@users_cli.command("invite")
@click.argument("email")
@click.option("--state", "state_code", help="ISO 3166 alpha-2 code of the person's State.")
@click.option("--authority", "authority_name", default="", help="Name of their authority.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value)
def invite(email: str, state_code: str | None, authority_name: str, role: str) -> None:
    """Invite someone; they receive a single-use link by e-mail, also printed here."""
    try:
        _invitation, link = invitations.do_invite(
            None, email, role=role, state_code=state_code, authority_name=authority_name
        )
    except (actions.ActionError, ValueError) as error:
        raise click.ClickException(getattr(error, "message", str(error))) from None
    click.echo(f"Invitation sent to {email}: {link}")


@users_cli.command("reset-2fa")
@click.argument("email")
@click.option("--admin", "admin_email", required=True, help="The administrator doing the reset.")
@click.option("--reason", required=True)
def reset_second_factor(email: str, admin_email: str, reason: str) -> None:
    """Clear a user's second factor (lost phone); audited under the named administrator."""
    admin = actions.find_user_by_email(admin_email)
    user = actions.find_user_by_email(email)
    if admin is None or user is None:
        raise click.ClickException("No such user.")
    try:
        actions.do_admin_reset_second_factor(admin, user, reason)
    except actions.ActionError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Second factor of {email} reset; they enrol again at next login.")


@audit_cli.command("verify")
def verify() -> None:
    """Walk the hash chain; exit 1 and name the first tampered row if any."""
    from forum.security.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} audit entries, chain intact.")
        return
    click.echo(
        f"TAMPERED: entry {report.first_bad_id}: {report.reason} "
        f"({report.checked} entries before it are intact).",
        err=True,
    )
    raise SystemExit(1)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
def load_demo(if_empty: bool) -> None:
    """Load demo States' people (development only); prints how to log in."""
    from forum import demo

    demo.load(if_empty=if_empty)


@demo_cli.command("credentials")
def demo_credentials() -> None:
    """Print the demo logins again."""
    from forum import demo

    demo.print_credentials()


def init_app(app: Flask) -> None:
    from forum.moderation.cli import members_cli

    for group in (users_cli, audit_cli, demo_cli, members_cli):
        app.cli.add_command(group)
    from forum.directory.cli import directory_cli

    app.cli.add_command(directory_cli)
    from forum.chat.cli import chat_cli

    app.cli.add_command(chat_cli)
    from forum.discussions.cli import notifications_cli

    app.cli.add_command(notifications_cli)
    from forum.devdata import dev_cli

    app.cli.add_command(dev_cli)
