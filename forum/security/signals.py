"""Server-side signals that let one area react to another's decisions without importing it.

``user_access_revoked`` is sent *after* the commit that suspends, deactivates or otherwise
cuts a user off (moderation's ``do_suspend``/``do_deactivate``, a second-factor reset).
The real-time layer subscribes to it and disconnects that user's open sockets at once::

    from forum.security.signals import user_access_revoked

    @user_access_revoked.connect
    def _disconnect(sender, user_id: int, reason: str, **extra): ...

HTTP sessions need no subscriber: they are revoked in the same transaction, and
``forum.auth.sessions`` refuses a non-active user's session on the next request anyway.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; keyword arguments: user_id (int), reason (str, e.g. "suspended").
user_access_revoked = _signals.signal("user-access-revoked")


def access_revoked(app, user_id: int, reason: str) -> None:
    """Announce that ``user_id`` must lose every live connection now (called after commit)."""
    user_access_revoked.send(app, user_id=user_id, reason=reason)
