"""Adopted rules: the ``RulesAdopted`` events, and the rules in force they make.

The rules in force are those of the latest ``RulesAdopted`` event, else the
defaults. They are read from the log itself (the events table's index on the
event type), not from a read model: the rules a run uses must be those adopted
at the head of the log even when the read models lag behind it, and reading
them must not wait for a projection of everything ingested since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from detectors.rules import Rules, RulesFileError, rules_from_canonical
from engine.errors import UsageError
from engine.events.audit import RulesAdopted
from engine.parse import NewEvent
from engine.record import own_event
from engine.store.log_reader import LogReader

SOURCE = "skillaudit"
TYPE = "RulesAdopted"


@dataclass(frozen=True)
class Adoption:
    """One stored adoption: where in the log, when, by whom, and what."""

    position: int
    event_id: str
    occurred_at: str
    digest: str
    canonical_digest: str
    version: str
    previous_digest: str
    previous_canonical_digest: str
    source: str
    by: str
    role: str | None
    text: str
    canonical: dict[str, Any]

    def rules(self) -> Rules:
        """The adopted rules, loaded back from their canonical form."""
        name = f"the rules adopted at position {self.position} ({self.source or self.digest})"
        try:
            return rules_from_canonical(self.canonical, name)
        except RulesFileError as exc:  # keys this version no longer knows: adopt again
            raise UsageError(f"{exc}; adopt a corrected file with `skillaudit rules adopt "
                             "FILE` 请重新启用规则") from None

    def summary(self) -> dict[str, Any]:
        """The adoption without the rules themselves, as listings show it."""
        return {"position": self.position, "event_id": self.event_id,
                "adopted_at": self.occurred_at, "digest": self.digest,
                "canonical_digest": self.canonical_digest, "version": self.version,
                "previous_digest": self.previous_digest,
                "previous_canonical_digest": self.previous_canonical_digest,
                "source": self.source, "by": self.by, "role": self.role}


def adoptions(engine: sa.Engine, upto: int | None = None) -> list[Adoption]:
    """Every adoption stored (at or before position ``upto``), in log order."""
    out = []
    for position, _, state in LogReader(engine).events_of_type(TYPE, upto):
        event = json.loads(state)
        d = event["data"]
        out.append(Adoption(int(position), event["event_id"], event["occurred_at"],
                            d["digest"], d["canonical_digest"], d["version"],
                            d["previous_digest"], d["previous_canonical_digest"],
                            d.get("source", ""), d["by"], d.get("role"), d["text"],
                            d["rules"]))
    return out


def adoption_event(rules: Rules, text: str, previous: Rules, nth: int, *, by: str,
                   role: str | None, now: datetime) -> NewEvent:
    """The ``RulesAdopted`` event of a checked rules file replacing ``previous``, the
    ``nth`` adoption of the log.

    Its id is derived from the canonical digests adopted and replaced and from
    ``nth``, so two adoptions of the same rules over the same rules at once store one
    event, while going back to rules adopted earlier (A, B, A, B, A) is recorded
    each time.
    """
    whole, before = rules.canonical_digest(), previous.canonical_digest()
    data = RulesAdopted(digest=rules.digest, canonical_digest=whole, version=rules.version,
                        previous_digest=previous.digest, previous_canonical_digest=before,
                        rules=rules.canonical(), text=text, source=rules.source, by=by,
                        role=role)
    event = own_event(data, event_id=f"rules-{whole}-after-{before}-{nth}", occurred_at=now,
                      source=SOURCE)
    again = rules_from_canonical(json.loads(event.state)["data"]["rules"], rules.source)
    if (again.digest, again.canonical_digest()) != (rules.digest, whole):
        raise RulesFileError(f"{rules.source}: holds a value that does not read back the same "
                             "once stored (a TOML date or time?); write it as a string "
                             "规则文件含无法原样保存的值")
    return event
