"""The one error family a user meets: each says what went wrong and what to do.

The command line turns a ``SkillauditError`` into one line and its exit code;
anything else is a defect, shown as one line too unless ``--debug`` asks for
the traceback.
"""

from __future__ import annotations


class SkillauditError(Exception):
    """A failure the user can act on; the message says how. Exit code 1."""

    exit_code = 1


class UsageError(SkillauditError):
    """A wrong argument, path or setting, caught before anything was changed. Exit code 2."""

    exit_code = 2


class NotFound(SkillauditError):
    """An id asked for that the store does not know. Exit code 1."""


class Forbidden(SkillauditError):
    """An action or a view the actor's role does not grant; the message names who may.

    Exit code 3, so scripts can tell a refusal from a failure.
    """

    exit_code = 3
