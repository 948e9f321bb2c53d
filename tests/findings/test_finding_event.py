"""A finding's event id: stable for the same facts, distinct once raised before."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from detectors.base import Finding
from detectors.rules import load_rules
from engine.quarantine import Malformed
from findings.detection import finding_event


def finding(amount: int) -> Finding:
    return Finding.make(code="FRAUD_PAY_WITHOUT_APPROVAL", category="subsidy_fraud",
                        severity="critical", title="t", zh="中", en="en",
                        subject_type="payment", subject_id="PAY1", amount_at_risk_fen=amount,
                        payment_ids=["PAY1"], evidence=[1], observed={"a": amount})


def event_id(f: Finding, raises_before: int = 0) -> str:
    event = finding_event(f, load_rules(None), {}, {1: "e1"}, datetime(2024, 1, 1, tzinfo=UTC),
                          raises_before)
    assert event.type == "FindingRaised"
    state = json.loads(event.state)
    assert state["data"]["amount_at_risk"] == f"{f.amount_at_risk_fen / 100:.2f}"
    assert state["data"]["evidence"] == ["e1"]
    return event.event_id


def test_a_finding_the_spec_refuses_is_not_built() -> None:
    """Built from the struct, then validated like any input: a negative amount is refused."""
    with pytest.raises((Malformed, ValueError), match="amount_at_risk"):
        event_id(finding(-5))


def test_same_facts_same_id_and_a_later_raise_is_a_new_event() -> None:
    a, b = finding(100), finding(200)
    assert event_id(a) == event_id(finding(100))  # a rerun stores nothing new
    assert event_id(a) != event_id(b)  # changed facts: a new event
    # facts A → B → A: the third raise must not collide with the first
    assert event_id(a, raises_before=2) not in {event_id(a), event_id(b, raises_before=1)}
    assert event_id(a, raises_before=2).endswith("-r2")
