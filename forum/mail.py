"""Outgoing e-mail: SMTP in production, files in a development outbox, a list in tests.

Templates come in pairs under ``templates/email/``: NAME.txt and NAME.html.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app
from flask import render_template

from forum.db_types import utcnow

# Tests read what was "sent" here; the memory backend never leaves the process.
memory_outbox: list[EmailMessage] = []


def build_message(to: str, subject: str, template: str, **context) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="liaison.local")
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return message


def send(to: str, subject: str, template: str, **context) -> None:
    """Render and deliver one message by the configured backend."""
    message = build_message(to, subject, template, **context)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        memory_outbox.append(message)
    elif backend == "outbox":
        _write_to_outbox(message, Path(current_app.config["MAIL_OUTBOX_DIR"]))
    else:
        # Delivered in the background so the response time reveals nothing (e.g. whether
        # a password-reset address exists).
        config = dict(current_app.config)
        threading.Thread(target=_send_smtp, args=(message, config), daemon=True).start()


def _write_to_outbox(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{message['To'].replace('@', '_at_')}.eml"
    path.write_bytes(bytes(message))
    return path


def _send_smtp(message: EmailMessage, config: dict) -> None:
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        # The log says who was not reached, never the message body (it may hold a link).
        logging.getLogger("forum.mail").exception("could not deliver mail to %s", message["To"])
