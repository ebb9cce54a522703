"""Refusals shared by the HTTP views and the Socket.IO handlers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ChatError(Exception):
    """A refused request; ``code`` is stable for clients, ``message`` is for people."""

    def __init__(self, code: str, message, status: int = 400):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.status = status

    def ack(self) -> dict:
        return {"ok": False, "error": self.code, "message": self.message}


def not_found() -> ChatError:
    """Unknown and not-a-member look the same, so existence stays private."""
    return ChatError(
        "not_found", _l("This conversation does not exist, or you are not in it."), 404
    )


def unreadable() -> ChatError:
    return ChatError("invalid", _l("The message could not be read."))


def unknown_member() -> ChatError:
    return ChatError("unknown_member", _l("This member cannot be found."), 404)


def rate_error() -> ChatError:
    return ChatError("rate_limited", _l("You are sending too fast. Wait a moment and retry."), 429)


def internal_error() -> ChatError:
    return ChatError(
        "server_error", _l("Something went wrong; nothing was changed. Try again."), 500
    )
