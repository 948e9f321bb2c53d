"""Helper processes that leave Ctrl-C to their parent.

Ctrl-C reaches the terminal's whole process group. A helper that took it would
print its own traceback before the parent's clean message; instead each helper
ignores it, and the parent, which owns the user's terminal, stops them.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """Start children inside this block: a spawned Python keeps an inherited SIG_IGN."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def ignore_sigint() -> None:
    """For a forked child: Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


OWN_GROUP: dict[str, int] = {"process_group": 0}
"""``subprocess.Popen`` keywords for a helper outside the terminal's Ctrl-C."""
