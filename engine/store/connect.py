"""How long to wait for a database server: one setting for the event store and the read models."""

from __future__ import annotations

import os

from engine.errors import UsageError

CONNECT_TIMEOUT_ENV = "SKILLAUDIT_CONNECT_TIMEOUT"
CONNECT_TIMEOUT_S = 5  # a server that has not answered in 5 s is down or unreachable


def connect_timeout() -> int:
    """Seconds to wait for a database server: ``$SKILLAUDIT_CONNECT_TIMEOUT`` or 5."""
    text = os.environ.get(CONNECT_TIMEOUT_ENV, "").strip()
    if not text:
        return CONNECT_TIMEOUT_S
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{CONNECT_TIMEOUT_ENV}={text!r}: give a whole number of seconds, "
                         "1 or more")
    return int(text)
