"""Helper processes that leave Ctrl-C to their parent.

Ctrl-C reaches the terminal's whole process group. A helper that took it would
print its own traceback before the parent's clean message; instead each helper
ignores it, and the parent, which owns the user's terminal, stops them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any


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


# -- a generator run in a helper process --------------------------------------------------------
# Reading and checking input is Python work, storing is the database's: a helper process
# produces batches while the parent stores them, so both cores work (ingest, import).

_DONE, _ERROR = "skillaudit-helper-done", "skillaudit-helper-error"


def _serve(produce: Callable[..., Iterator[Any]], args: tuple[Any, ...], conn: Connection,
           pack: Callable[[Any], Any] | None) -> None:
    """Helper side: send each item (packed to pickle cheaply), then done or the error."""
    try:
        for item in produce(*args):
            conn.send_bytes(pickle.dumps(pack(item) if pack else item,
                                         protocol=pickle.HIGHEST_PROTOCOL))
        conn.send_bytes(pickle.dumps((_DONE,)))
    except BrokenPipeError:
        return  # the parent is gone; nothing to report to
    except Exception as exc:  # reported by the parent, which owns the user's terminal
        conn.send_bytes(pickle.dumps((_ERROR, f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def helper_items(produce: Callable[..., Iterator[Any]], args: tuple[Any, ...], *, name: str,
                 failed: Callable[[str | None], Exception],
                 pack: Callable[[Any], Any] | None = None,
                 unpack: Callable[[Any], Any] | None = None) -> Iterator[Any]:
    """The items ``produce(*args)`` yields, produced in a spawned helper process.

    ``produce`` and ``pack`` must be module-level functions (they are pickled to the
    helper). A helper's error, or its end without a word, raises ``failed(message)``
    (``None`` when it stopped unexpectedly); Ctrl-C is left to this process.
    """
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    helper = ctx.Process(target=_serve, args=(produce, args, sender, pack), name=name,
                         daemon=True)
    with sigint_ignored():  # Ctrl-C is this process's to answer, not the helper's
        helper.start()
    sender.close()
    try:
        while True:
            try:
                item = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise failed(None) from None
            if isinstance(item, tuple) and item and item[0] == _DONE:
                return
            if isinstance(item, tuple) and item and item[0] == _ERROR:
                raise failed(item[1])
            yield unpack(item) if unpack else item
    finally:
        receiver.close()
        helper.join(timeout=5)
        if helper.is_alive():
            helper.kill()
