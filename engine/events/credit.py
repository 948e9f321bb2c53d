"""Events of institution credit rating (信用评价): ratings and repairs.

A rating is stored only when its score, grade or facts change, with the log
position it was computed at and the digest of the credit rules it used, so
any past score can be recomputed from the same prefix of the log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from engine.events.base import Count, Day, EventData, Id
from engine.events.casework import Role

SubjectType = Literal["institution", "agency"]
Grade = Literal["A", "B", "C", "D"]
Score = Annotated[int, msgspec.Meta(ge=0, le=100)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class CreditRated(EventData, frozen=True, kw_only=True):
    """A subject's score and grade, and the facts (reasons) that moved it."""

    subject_type: SubjectType
    subject_id: Id
    score: Score
    grade: Grade
    reasons: list[dict[str, Any]] = []
    rules_version: str
    rules_digest: str
    facts_digest: str
    as_of_position: Count
    previous_rating: str | None = None  # event id of the rating this one replaces
    by: str | None = None  # who (or which service) caused the rating to be recorded
    role: Role | None = None


class CreditRepaired(EventData, frozen=True, kw_only=True):
    """Credit repair (信用修复): a grade raised after a clean period and a remediation note."""

    subject_type: SubjectType
    subject_id: Id
    by: Id
    role: Role | None = None
    note: Note
    from_grade: Grade
    to_grade: Grade
    clean_since: Day | None = None  # day of the last finding (None: never had one)
    clean_days: Count = 0

    def __post_init__(self) -> None:
        if self.to_grade >= self.from_grade:  # "A" < "B": a repair must raise the grade
            raise ValueError(f"to_grade {self.to_grade} does not raise from_grade "
                             f"{self.from_grade}")
