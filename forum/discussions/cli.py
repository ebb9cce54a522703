"""``flask notifications send-digests``: the daily e-mail summary, for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="Discussion notifications by e-mail.")


@notifications_cli.command("send-digests")
def send_digests() -> None:
    """Send each daily-digest member one e-mail with what they have not read yet."""
    from forum.discussions import notifications

    sent = notifications.send_digests()
    click.echo(f"Digests sent: {sent}")
