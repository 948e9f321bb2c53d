"""eventsourcing's shipped recorder test cases (they import the library's cipher module,
hence ``eventsourcing[crypto]`` in the test extra)."""

from __future__ import annotations

from eventsourcing.tests.persistence import ApplicationRecorderTestCase

__all__ = ["ApplicationRecorderTestCase"]
