"""Classes, enrolment, sessions and attendance."""

from __future__ import annotations

from typing import Literal

from engine.events.base import (
    Count,
    Day,
    EventData,
    Hours,
    Id,
    Latitude,
    Level,
    Longitude,
    Score01,
    check_order,
)

Mode = Literal["inclusive", "order", "project", "enterprise", "apprentice", "entrepreneurship"]
Direction = Literal["in", "out"]
Method = Literal["face", "fingerprint", "card", "manual"]


class ClassOpened(EventData, frozen=True, kw_only=True):
    class_id: Id
    institution_id: Id
    occupation: Id
    level: Level
    mode: Mode
    county: Id
    venue: Id
    capacity: Count
    start_date: Day
    end_date: Day
    planned_days: Count
    planned_hours: Hours
    program: Id
    occupation_name: str | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    employer_id: str | None = None

    def __post_init__(self) -> None:
        check_order(self.start_date, self.end_date, "`end_date` before `start_date`")
        span = (self.end_date - self.start_date).days + 1
        if self.planned_days > span:
            raise ValueError(
                f"`planned_days` {self.planned_days} exceeds the {span} days "
                f"from {self.start_date} to {self.end_date}"
            )


class TraineeEnrolled(EventData, frozen=True, kw_only=True):
    class_id: Id
    person_id: Id
    voucher_id: str | None = None


class TraineeWithdrew(EventData, frozen=True, kw_only=True):
    class_id: Id
    person_id: Id


class SessionHeld(EventData, frozen=True, kw_only=True):
    class_id: Id
    date: Day
    hours: Hours
    teacher: str | None = None

    def __post_init__(self) -> None:
        if self.hours > 24:
            raise ValueError(f"`hours` {self.hours} exceeds a day")


class AttendanceRecorded(EventData, frozen=True, kw_only=True):
    class_id: Id
    person_id: Id
    direction: Direction
    method: Method
    device_id: str | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    face_score: Score01 | None = None


class ClassCompleted(EventData, frozen=True, kw_only=True):
    class_id: Id
    delivered_hours: Hours
