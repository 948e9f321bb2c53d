"""The access log (访问日志): every view of personal data, download and action, by whom.

A workbench account that sees a person's record in full, downloads a pack or
an export, takes a case step or is refused one leaves an ``AccessRecorded``
in the same log as the facts, chained like them, so who saw what cannot be
edited away. ``subject_type`` and ``subject_id`` name what was touched; a
person's id is masked wherever the log is shown to someone who may not see it
(``engine.privacy`` masks ``subject_id`` beside ``subject_type: person``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from engine.events.base import EventData, Id
from engine.events.casework import Role

Outcome = Literal["ok", "refused", "failed"]
Detail = Annotated[str, msgspec.Meta(max_length=2000)]


class AccessRecorded(EventData, frozen=True, kw_only=True):
    """One access by an account: what it did, to what, and whether it was allowed."""

    by: Id  # the account name
    role: Role
    action: Id  # e.g. view.person, download.findings, case.confirm, login
    outcome: Outcome
    subject_type: Id | None = None  # person, finding, case, institution, pack, account …
    subject_id: Id | None = None
    unmasked: bool = False  # personal data shown in full
    detail: Detail | None = None  # the request, or why it was refused
