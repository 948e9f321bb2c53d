"""Small cities for the credit tests: an honest institution, a flagged one, an agency.

Findings are written as ``FindingRaised`` events by hand (as ``detect`` would
store them), so each test says exactly which findings exist, with which
severity, on which day; their explanations name trainees, which the public
list must never show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from credit.params import CreditParams
from credit.service import params_of
from detectors.rules import load_rules
from engine.parse import parse_line
from engine.store.base import EventStore
from tests.detectors.city import TinyCity, projected, ts

NAMES = ("张三丰", "李四光", "赵敏君", "钱学文")


def finding_data(fid: str, *, institution: str = "I2", severity: str = "high",
                 code: str = "FRAUD_PROXY_CHECKIN", person: str = "", name: str = "",
                 subject_type: str = "class", subject_id: str = "C2",
                 class_ids: tuple[str, ...] = ("C2",), facts: str = "f1") -> dict[str, Any]:
    return {
        "finding_id": fid, "code": code, "category": "subsidy_fraud", "severity": severity,
        "title": "代人签到", "explanation_zh": f"学员{name}（{person}）由他人代为签到",
        "explanation_en": f"trainee {name} ({person}) was checked in by someone else",
        "subject_type": subject_type, "subject_id": subject_id, "amount_at_risk": "800.00",
        "rules_version": "t", "rules_digest": "t", "facts_digest": facts,
        "person_ids": [person] if person else [], "class_ids": list(class_ids),
        "institution_ids": [institution] if institution else [], "evidence": []}


def add_finding(city: TinyCity, fid: str, on: str = "2023-05-01", **kw: Any) -> None:
    data = finding_data(fid, **kw)
    city.add("FindingRaised", ts(on), data, event_id=f"finding-{fid}-{data['facts_digest']}")


def finding_line(fid: str, on: str, **kw: Any) -> bytes:
    data = finding_data(fid, **kw)
    return json.dumps({"event_id": f"finding-{fid}-{data['facts_digest']}",
                       "type": "FindingRaised", "occurred_at": ts(on), "source": "test",
                       "data": data}, ensure_ascii=False).encode()


def city_with_two_findings() -> tuple[TinyCity, list[str]]:
    """I1 honest, I2 with two open high findings (on 2023-05-01), agency A1 clean."""
    c = TinyCity()
    c.institution("I1")
    c.institution("I2")
    c.agency("A1")
    c.employer("E1")
    persons = [c.person(name=n) for n in NAMES]
    c.klass("C1", institution="I1")
    c.train("C1", persons[:2])
    c.klass("C2", institution="I2")
    c.train("C2", persons[2:])
    for pid in persons:
        c.assess(pid)
    add_finding(c, "F1", person=persons[2], name=NAMES[2])
    add_finding(c, "F2", person=persons[3], name=NAMES[3], code="FRAUD_GHOST_NO_CHECKIN")
    return c, persons


def write_jsonl(city: TinyCity, path: Path) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in city.events),
                    encoding="utf-8")
    return path


def load(city: TinyCity, url: str, tmp_path: Path) -> sa.Engine:
    """Ingest the city into the store at ``url`` and project it; the read-model engine."""
    return projected(write_jsonl(city, tmp_path / "city.jsonl"), url)


def append(store: EventStore, *lines: bytes) -> None:
    store.append([parse_line(line, "test", n) for n, line in enumerate(lines, 1)])


def params(tmp_path: Path | None = None, override: str | None = None) -> CreditParams:
    """The default credit params, or with a ``[credit]`` override written to a rules file."""
    if override is None:
        return params_of(load_rules())
    assert tmp_path is not None
    path = tmp_path / "rules.toml"
    path.write_text(override, encoding="utf-8")
    return params_of(load_rules(path))
