"""Two detection results compared: findings matched across rules files by their fact key."""

from __future__ import annotations

from detectors.base import Finding
from detectors.rules import load_rules, load_rules_text, rules_from_canonical
from findings.whatif import compare


def finding(code: str, subject: str, fen: int = 100, *, key: str = "",
            claims: tuple[str, ...] = ()) -> Finding:
    return Finding.make(code=code, category="subsidy_fraud", severity="high", title="t",
                        zh="中", en="en", subject_type="claim", subject_id=subject,
                        amount_at_risk_fen=fen, claim_ids=claims or [subject],
                        observed={"fen": fen}, key=key)


def test_the_fact_key_is_the_identity_without_the_digest() -> None:
    f = finding("A", "CL1")
    assert f.identity("d1") != f.identity("d2")  # the id moves with the rules
    assert f.fact_key() == finding("A", "CL1", fen=999).fact_key()  # the fact does not
    assert f.fact_key() != finding("A", "CL1", key="2023-03-08").fact_key()
    assert f.fact_key() != finding("B", "CL1").fact_key()
    assert f.fact_key() != finding("A", "CL1", claims=("CL1", "CL9")).fact_key()


def test_new_gone_changed_and_same_by_rule() -> None:
    before = [finding("A", "CL1"), finding("A", "CL2"), finding("B", "CL3", 300)]
    after = [finding("A", "CL1"), finding("A", "CL4"), finding("B", "CL3", 500)]
    got = compare(before, after, {"A", "B"})
    assert got.by_rule == {
        "A": {"before": 2, "after": 2, "new": 1, "gone": 1, "changed": 0, "same": 1},
        "B": {"before": 1, "after": 1, "new": 0, "gone": 0, "changed": 1, "same": 0}}
    assert got.totals == {"before": 3, "after": 3, "new": 1, "gone": 1, "changed": 1,
                          "same": 1}
    assert [(d.kind, d.code) for d in got.differences] == [
        ("new", "A"), ("gone", "A"), ("changed", "B")]
    changed = got.of_kind("changed")[0]
    assert (changed.before.amount_at_risk_fen, changed.after.amount_at_risk_fen) == (300, 500)


def test_a_rule_left_out_is_not_compared() -> None:
    """A rule that failed under one rules file would otherwise show all its findings gone."""
    got = compare([finding("A", "CL1"), finding("B", "CL2")], [finding("A", "CL1")], {"A"})
    assert set(got.by_rule) == {"A"} and got.differences == []


def test_rules_read_back_from_their_canonical_form_to_the_same_digests() -> None:
    import json

    rules = load_rules_text('version = "lab"\n[policy]\ninclusive_cap = "900.00"\n'
                            '[guard]\nmin_flagged = 1\n', "lab.toml")
    stored = json.loads(json.dumps(rules.canonical(), ensure_ascii=False))
    again = rules_from_canonical(stored, "stored")
    assert (again.digest, again.canonical_digest(), again.version) == (
        rules.digest, rules.canonical_digest(), "lab")
    defaults = load_rules()
    assert rules.digest != defaults.digest
    # the guard is no part of the findings' digest, but it is of the whole rules
    guard_only = load_rules_text("[guard]\nmin_flagged = 1\n", "guard.toml")
    assert guard_only.digest == defaults.digest
    assert guard_only.canonical_digest() != defaults.canonical_digest()
