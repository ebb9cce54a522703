"""``flask chat send-offline-notices``: run from cron every minute (or set
CHAT_OFFLINE_NOTICE_TASK=1 to let the server process do it)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

chat_cli = AppGroup("chat", help="Chat maintenance: offline e-mail notices.")


@chat_cli.command("send-offline-notices")
def send_offline_notices_command() -> None:
    """E-mail offline members who have unread messages older than the delay (never content)."""
    from forum.chat.notices import send_offline_notices

    click.echo(f"{send_offline_notices()} notice(s) sent")
