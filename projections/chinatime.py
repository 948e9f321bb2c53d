"""Event times as China Standard Time, whatever offset the source wrote.

The spec lets a source write ``occurred_at`` with any ISO 8601 offset; the stored
event keeps it. The rules, though, reason in the local calendar of a Chinese city:
a check-in's training day, a payment made after 31 March, a certificate issued
before a class ended. A device that writes ``2024-03-31T16:30:00Z`` paid on
1 April in Beijing, so the frames hold every time as the same instant at +08:00
(one zone for all of China, no daylight saving since 1991). Times already at
+08:00, which is what sources here write, are left as they are.
"""

from __future__ import annotations

from datetime import timedelta, timezone

import pandas as pd

CHINA = timezone(timedelta(hours=8), "CST")
SUFFIX = "+08:00"


def china_time(values: pd.Series) -> pd.Series:
    """ISO times with any offset as the same instants written at +08:00.

    Missing values stay missing; a value that does not parse is kept as written
    (ingest validated it, so that is never expected).
    """
    if values.empty:
        return values
    elsewhere = (~values.str.endswith(SUFFIX).astype("boolean")).fillna(False).to_numpy(bool)
    if not elsewhere.any():
        return values
    written = values[elsewhere]
    instants = pd.to_datetime(written, utc=True, format="ISO8601", errors="coerce")
    local = instants.dt.tz_convert(CHINA)
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = local.dt.microsecond != 0
    if fraction.any():
        text = text.where(~fraction, local.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"))
    out = values.copy()
    out[elsewhere] = (text + SUFFIX).where(instants.notna(), written)
    return out


def in_china_time(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its ``occurred_at`` (if any) at +08:00; applied once, as rows are read."""
    if "occurred_at" in frame.columns:
        frame["occurred_at"] = china_time(frame["occurred_at"])
    return frame
