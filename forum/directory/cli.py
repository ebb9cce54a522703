"""``flask directory …``: seed the States, send reminders (cron), import entries."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from forum.extensions import db

directory_cli = AppGroup("directory", help="Directory of competent authorities.")


def seed_states() -> int:
    """Add any UN Member State missing from the table; returns how many were added."""
    from forum.directory.models import State
    from forum.directory.un_members import state_rows

    present = set(db.session.scalars(sa.select(State.code)))
    added = 0
    for row in state_rows():
        if row["code"] not in present:
            db.session.add(State(**row, visibility="members"))
            added += 1
    db.session.commit()
    return added


@directory_cli.command("seed-states")
def seed_states_command() -> None:
    """Make sure all 193 UN Member States exist (idempotent; the migration already does it)."""
    added = seed_states()
    click.echo(f"{added} States added; the directory lists every UN Member State.")


@directory_cli.command("remind")
def remind() -> None:
    """E-mail the focal points of stale or empty States (at most once per interval). For cron."""
    from forum.directory.reminders import send_reminders

    sent = send_reminders()
    for code, recipients in sent:
        click.echo(f"{code}: reminder sent to {recipients} focal point(s)")
    click.echo(f"{len(sent)} State(s) reminded.")


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import entries from CSV or JSON; nothing is written unless every row is valid."""
    from forum.directory.importer import run

    report = run(None, path.read_bytes(), path.name, dry_run=dry_run)
    if report.file_error:
        raise click.ClickException(report.file_error)
    for row in report.rows:
        for name, message in row.errors.items():
            click.echo(f"row {row.number} ({row.state_code} {row.name}): {name}: {message}")
    if not report.ok:
        raise click.ClickException(f"{report.error_count} row(s) with errors; nothing written.")
    verb = "written" if report.written else "valid (dry run, nothing written)"
    click.echo(f"{len(report.rows)} entries {verb}.")
