"""A floor under the time taken by actions that look an e-mail address up for a stranger.

Asking for access or for a password reset does real work (a row, an audit entry, an e-mail)
only for some addresses; without a floor, the answer time alone would tell a visitor which
addresses have an account. Under gevent the wait yields to other requests.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from flask import current_app

CONFIG_KEY = "EMAIL_LOOKUP_MIN_SECONDS"


def takes_at_least_configured_time(action: Callable) -> Callable:
    """Make ``action`` last at least ``EMAIL_LOOKUP_MIN_SECONDS``, whatever it finds."""

    @functools.wraps(action)
    def padded(*args, **kwargs):
        started = time.monotonic()
        try:
            return action(*args, **kwargs)
        finally:
            floor = current_app.config.get(CONFIG_KEY, 0) or 0
            remaining = floor - (time.monotonic() - started)
            if remaining > 0:
                time.sleep(remaining)

    return padded
