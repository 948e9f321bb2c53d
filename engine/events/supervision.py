"""Supervision: spot checks and complaints."""

from __future__ import annotations

from engine.events.base import Count, EventData, Id


class SpotCheckPerformed(EventData, frozen=True, kw_only=True):
    class_id: Id
    inspector: Id
    headcount_observed: Count
    notes: str | None = None


class ComplaintReceived(EventData, frozen=True, kw_only=True):
    complaint_id: Id
    subject_type: Id
    subject_id: Id
    text: str
