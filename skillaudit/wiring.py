"""The one place that turns arguments and environment variables into objects.

A command gets its ``Workbench`` (from ``--db`` and ``--rules``), its ``Actor``
(the login name, or ``--by``, in the role of ``--role``) and its as-of point
(``--as-of``/``--as-of-position``) here, and hands them to ``services``.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from engine.errors import UsageError
from engine.store.factory import DEFAULT_URL, normalise_url
from projections.asof import AsOf
from services.actor import Actor, Role
from services.workbench import Workbench, as_of

DB_ENV = "SKILLAUDIT_DB"
ROLE_ENV = "SKILLAUDIT_ROLE"


def db_url(arg: str | None) -> str:
    """``--db`` if given, else ``$SKILLAUDIT_DB``, else ``./skillaudit.db``."""
    return normalise_url(arg or os.environ.get(DB_ENV) or DEFAULT_URL)


def workbench_of(a: Any, *, rules: bool = True) -> Workbench:
    """The store of ``--db`` and the rules of ``--rules`` (when the command has them;
    ``rules=False`` when ``--rules`` names a candidate, not the rules to run under)."""
    return Workbench(db_url(getattr(a, "db", None)),
                     getattr(a, "rules", None) if rules else None)


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers): make the user say who
        return ""


def actor_of(a: Any) -> Actor:
    """Who runs the command: ``--by`` or the login name, in the role ``--role`` names."""
    text = getattr(a, "role", None) or os.environ.get(ROLE_ENV) or Role.OPERATOR.value
    try:
        role = Role(text)
    except ValueError:
        raise UsageError(f"--role {text!r} is not a role: one of "
                         f"{', '.join(r.value for r in Role if r is not Role.SYSTEM)}") from None
    if role is Role.SYSTEM:
        raise UsageError("--role system is the stream follower's own; choose another role")
    name = (getattr(a, "by", None) or login_name() or "").strip()
    return Actor(name or "console", role)


def as_of_of(a: Any) -> AsOf:
    """The as-of point of ``--as-of``/``--as-of-position`` (now when neither is given)."""
    return as_of(getattr(a, "as_of", None), getattr(a, "as_of_position", None))
