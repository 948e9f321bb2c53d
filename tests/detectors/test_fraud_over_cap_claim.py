"""FRAUD_OVER_CAP_CLAIM: claims above the per-day rates, caps and certification amounts."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_over_cap_claim as d
from detectors.rules import load_rules
from tests.detectors.city import TinyCity

# The city's own certification amounts, set as a user sets a local standard.
LOCAL = """
[policy]
certification_subsidy = { "5" = "300.00", "4" = "400.00", "3" = "500.00" }
"""


def local_params(tmp_path: Path, text: str = LOCAL) -> d.Params:
    rules = tmp_path / "local.toml"
    rules.write_text(text, encoding="utf-8")
    return load_rules(rules).params(d.CODE, d.Params)


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution()
    c.agency(occupations=("4-10-01-05", "4-10-01-06"))
    ids = {k: c.person(born=f"198{i}-03-0{i + 1}") for i, k in enumerate("abcdefghi")}
    c.klass("C1", days=10)  # 普惠制: 100 a day, at most 1000
    c.train("C1", [ids["a"], ids["b"], ids["c"], ids["f"], ids["i"]])
    c.klass("C2", mode="order", days=12, start="2023-05-08")  # 150 x 10 + 100 x 2 = 1700
    c.train("C2", [ids["d"], ids["e"]])
    c.claim("CL1", [(ids["a"], "1500.00", 10), (ids["b"], "1000.00", 10),
                    (ids["c"], "800.00", None), (ids["i"], "1200.00", 10)], cid="C1")
    # One trainee split over two claims: 600 + 600 for 6 + 4 days, over the 1000 cap.
    c.claim("CL2", [(ids["f"], "600.00", 6)], cid="C1")
    c.claim("CL3", [(ids["f"], "600.00", 4)], cid="C1", on="2023-03-28")
    c.claim("CL4", [(ids["d"], "1700.00", 12), (ids["e"], "1900.00", 12)], cid="C2",
            on="2023-05-25")
    # Certification: level 4 earns 400, level 3 earns 500.
    c4 = c.certify(ids["g"], level=4, assessment=c.assess(ids["g"], level=4))
    c3 = c.certify(ids["h"], level=3, occupation="4-10-01-06",
                   assessment=c.assess(ids["h"], level=3, occupation="4-10-01-06"))
    c.claim("CL5", [(ids["g"], "500.00", None), (ids["h"], "500.00", None)],
            kind="certification", claimant_type="person", claimant=ids["g"],
            certificate={ids["g"]: c4, ids["h"]: c3}, on="2023-04-10")
    ids["c4"], ids["c3"] = c4, c3
    return c, ids


def test_over_cap_fires_and_the_rates_stay_silent(tmp_path: Path) -> None:
    c, ids = city()
    found = d.detect(c.frames(tmp_path), local_params(tmp_path))
    by = {f.subject_id: f for f in found}
    assert sorted(by) == ["CL1", "CL3", "CL4", "CL5"], [f.explanation_en for f in found]
    a = by["CL1"]  # two trainees over the cap, one finding for the claim
    assert a.person_ids == tuple(sorted([ids["a"], ids["i"]]))
    assert a.amount_at_risk_fen == 50000 + 20000 and a.class_ids == ("C1",)
    assert a.institution_ids == ("I1",) and a.observed["items_over"] == 2
    assert "2 items" in a.explanation_en and "700.00" in a.explanation_en
    assert "1000.00" in a.explanation_en and "1500.00" in a.explanation_zh
    assert a.observed["items"][0] == {"person_id": ids["a"], "kind": "inclusive", "days": 10,
                                      "days_source": "claimed", "claimed": 150000,
                                      "allowed": 100000}
    f = by["CL3"]  # one trainee split over two claims
    assert f.claim_ids == ("CL2", "CL3") and f.amount_at_risk_fen == 20000
    assert f.person_ids == (ids["f"],)
    e = by["CL4"]
    assert e.amount_at_risk_fen == 20000 and e.observed["allowed_fen"] == 170000
    assert e.person_ids == (ids["e"],)
    assert "1700.00" in e.explanation_en and "1900.00" in e.explanation_en
    g = by["CL5"]
    assert g.amount_at_risk_fen == 10000 and g.observed["items"][0]["level"] == 4
    assert g.person_ids == (ids["g"],) and "400.00" in g.explanation_zh
    silent = {ids["b"], ids["c"], ids["d"], ids["h"]}
    assert not silent & {p for f in found for p in f.person_ids}


def test_rates_come_from_the_policy(tmp_path: Path) -> None:
    from decimal import Decimal

    c, _ids = city()
    found = d.detect(c.frames(tmp_path), d.Params(inclusive_cap=Decimal("2000.00"),
                                                  inclusive_per_day=Decimal("150.00"),
                                                  min_excess=Decimal("250.00"),
                                                  certification_subsidy={"4": Decimal("400")}))
    assert found == []


def test_unset_certification_amounts_check_nothing_and_say_so(tmp_path: Path) -> None:
    """No seed gives certification amounts: by default no certification claim is compared,
    and the rule names the key a user sets; a level missing from a user's table likewise."""
    c, _ids = city()
    frames = c.frames(tmp_path)
    found = d.detect(frames, d.Params())
    assert "CL5" not in {f.subject_id for f in found}
    assert {f.subject_id for f in found} == {"CL1", "CL3", "CL4"}  # training still checked
    notes = d.unchecked(frames, d.Params())
    cert = [n for n in notes if n.key == "certification_subsidy"]
    assert len(cert) == 1 and cert[0].count == 2  # the two certificates of CL5
    assert "level 4, 3" in cert[0].what_en and "取证补贴" in cert[0].what_zh
    groups = {g.noun_en: g for g in d.examined(frames, d.Params())}
    assert len(groups["certification claims"].ids) == 0  # compared with nothing
    only_five = local_params(tmp_path, '[policy]\ncertification_subsidy = { "5" = "300" }\n')
    assert "CL5" not in {f.subject_id for f in d.detect(frames, only_five)}
    [note] = [n for n in d.unchecked(frames, only_five) if n.key == "certification_subsidy"]
    assert note.count == 2
    assert d.unchecked(frames, local_params(tmp_path)) == []


def test_unset_flat_amounts_leave_those_modes_unchecked(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    people = [c.person(born=f"198{i}-03-0{i + 1}") for i in range(2)]
    c.employer()
    c.klass("AP", mode="apprentice", employer="E1")
    c.train("AP", people)
    c.claim("CLA", [(p, "9000.00", 10) for p in people], cid="AP")
    frames = c.frames(tmp_path)
    assert d.detect(frames, d.Params()) == []
    [note] = d.unchecked(frames, d.Params())
    assert note.key == "apprentice_per_person" and note.count == 2
    found = d.detect(frames, local_params(tmp_path, '[policy]\napprentice_per_person = "4000"\n'))
    assert [f.subject_id for f in found] == ["CLA"] and found[0].amount_at_risk_fen == 1000000
