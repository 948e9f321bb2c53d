"""The errors of the case workflow: a step refused, with what to do instead."""

from __future__ import annotations

from engine.errors import SkillauditError


class CaseError(SkillauditError):
    """A case step cannot be taken; the message says why and what to run instead."""


class StepRaced(CaseError):
    """Someone else recorded a step of the case while this one was prepared."""
