"""Days and times of the synthetic city, as integers until the moment they are written.

Days are proleptic ordinals (``date.toordinal``) and times seconds after local midnight,
so planning does arithmetic on ints and only the writer turns them into ISO strings;
every time carries the +08:00 offset of China Standard Time.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

OFFSET = "+08:00"
FIRST_DAY = date(2023, 1, 1).toordinal()
LAST_DAY = date(2024, 12, 31).toordinal()
YEARS = (2023, 2024)
DAY_SECONDS = 86_400

# Public holidays of 2023-2025 (no sessions, no office work).
_HOLIDAY_RANGES = (
    ("2023-01-01", "2023-01-02"), ("2023-01-21", "2023-01-27"), ("2023-04-05", "2023-04-05"),
    ("2023-04-29", "2023-05-03"), ("2023-06-22", "2023-06-24"), ("2023-09-29", "2023-10-06"),
    ("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"), ("2024-06-10", "2024-06-10"), ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"), ("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"), ("2025-05-01", "2025-05-05"),
)


def _holidays() -> frozenset[int]:
    days: list[int] = []
    for first, last in _HOLIDAY_RANGES:
        a = date.fromisoformat(first).toordinal()
        b = date.fromisoformat(last).toordinal()
        days.extend(range(a, b + 1))
    return frozenset(days)


HOLIDAYS = _holidays()

TOD = tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))
"""Time-of-day strings indexed by seconds after midnight."""


def ordinal(iso: str) -> int:
    """The ordinal of an ISO date string."""
    return date.fromisoformat(iso).toordinal()


@lru_cache(maxsize=4096)
def iso(day: int) -> str:
    """``YYYY-MM-DD`` of an ordinal."""
    return date.fromordinal(day).isoformat()


@lru_cache(maxsize=4096)
def day_prefix(day: int) -> str:
    """``YYYY-MM-DDT`` of an ordinal, the head of a timestamp."""
    return date.fromordinal(day).isoformat() + "T"


def stamp(day: int, sec: int) -> str:
    """ISO 8601 timestamp with offset; ``sec`` may exceed a day (it rolls over)."""
    if sec >= DAY_SECONDS:
        day += sec // DAY_SECONDS
        sec %= DAY_SECONDS
    return f"{day_prefix(day)}{TOD[sec]}{OFFSET}"


def year_of(day: int) -> int:
    """Calendar year of an ordinal."""
    return date.fromordinal(day).year


def weekday(day: int) -> int:
    """Monday = 0 .. Sunday = 6."""
    return (day - 1) % 7


def is_session_day(day: int) -> bool:
    """Classes meet Monday to Saturday, never on public holidays."""
    return weekday(day) != 6 and day not in HOLIDAYS


def is_work_day(day: int) -> bool:
    """Offices (claims, reviews, payments, agencies) work Monday to Friday."""
    return weekday(day) < 5 and day not in HOLIDAYS


def next_session_day(day: int) -> int:
    """The first class-session day on or after ``day``."""
    while not is_session_day(day):
        day += 1
    return day


def work_day_on_or_after(day: int) -> int:
    """The first office day on or after ``day``."""
    while not is_work_day(day):
        day += 1
    return day


def work_day_on_or_before(day: int) -> int:
    """The last office day on or before ``day``."""
    while not is_work_day(day):
        day -= 1
    return day


def session_days(start: int, count: int) -> list[int]:
    """``count`` consecutive session days from ``start`` (itself moved to a session day)."""
    days: list[int] = []
    day = next_session_day(start)
    while len(days) < count:
        if is_session_day(day):
            days.append(day)
        day += 1
    return days


def year_start(year: int) -> int:
    """Ordinal of 1 January of ``year``."""
    return date(year, 1, 1).toordinal()


def year_end(year: int) -> int:
    """Ordinal of 31 December of ``year``."""
    return date(year, 12, 31).toordinal()


def age_on(birth: int, day: int) -> int:
    """Completed years of age on ``day`` for someone born on ``birth``."""
    b = date.fromordinal(birth)
    d = date.fromordinal(day)
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def birth_for_age(rng_day_in_year: int, age: int, on_day: int) -> int:
    """A birth ordinal giving exactly ``age`` on ``on_day``; the first argument picks the day."""
    d = date.fromordinal(on_day)
    latest = date(d.year - age, d.month, min(d.day, 28)).toordinal()
    return latest - (rng_day_in_year % 360) - 1
