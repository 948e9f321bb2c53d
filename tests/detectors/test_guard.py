"""The share-flagged guard: a rule that flags most of what it examined is doubted, and says so.

The city pays 300 yuan per level-5 certificate; 10 of its 60 claims ask 500. A user
who sets the local amount right sees 10 findings (17 % of the certification claims:
no warning); one who sets it too low (200) sees every claim flagged, with the
sentence that the local standard probably differs from the rules file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.rules import RulesFileError, load_rules
from detectors.run import run_detectors
from tests.detectors.city import TinyCity

CODE = "FRAUD_OVER_CAP_CLAIM"
CITY_AMOUNT = "300.00"  # what this city pays per level-5 certificate
TOO_MUCH = 10  # claims asking 500


def certification_city(n: int = 60) -> TinyCity:
    """``n`` level-5 certificates, each claimed for once; the first ``TOO_MUCH`` ask 500."""
    c = TinyCity()
    c.agency()
    for i in range(n):
        pid = c.person(born=f"19{70 + i % 30}-0{1 + i % 9}-1{i % 9}")
        cert = c.certify(pid, level=5, assessment=c.assess(pid))
        amount = "500.00" if i < TOO_MUCH else CITY_AMOUNT
        c.claim(f"CC{i:03d}", [(pid, amount, None)], kind="certification",
                claimant_type="person", claimant=pid, certificate={pid: cert})
    return c


def rules_file(tmp_path: Path, amount: str, extra: str = "") -> Path:
    path = tmp_path / f"local-{amount}.toml"
    path.write_text(f'[policy]\ncertification_subsidy = {{ "5" = "{amount}" }}\n{extra}',
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory):
    return certification_city().frames(tmp_path_factory.mktemp("guard"))


def test_a_mis_set_amount_trips_the_guard(frames, tmp_path: Path) -> None:
    result = run_detectors(frames, load_rules(rules_file(tmp_path, "200.00")), codes=[CODE])
    assert result.counts[CODE] == 60
    g = result.guards[CODE]
    assert (g["flagged"], g["examined"], g["share"]) == (60, 60, 1.0)
    assert g["keys"] == ["policy.certification_subsidy"]
    assert g["en"].startswith("flagged 100 % of certification claims (60 of 60): the local "
                              "standard probably differs from the rules file")
    assert "policy.certification_subsidy" in g["en"] and "当地标准可能与规则文件不同" in g["zh"]


def test_the_right_amount_does_not(frames, tmp_path: Path) -> None:
    result = run_detectors(frames, load_rules(rules_file(tmp_path, CITY_AMOUNT)), codes=[CODE])
    assert result.counts[CODE] == TOO_MUCH  # enough findings to be judged, a small share
    assert result.guards == {} and result.unchecked == {}


def test_a_rule_may_set_its_own_share(frames, tmp_path: Path) -> None:
    strict = rules_file(tmp_path, CITY_AMOUNT,
                        f'[rules.{CODE}]\nmax_flagged_share = "0.10"\n')
    rules = load_rules(strict)
    assert rules.digest == load_rules(rules_file(tmp_path, CITY_AMOUNT)).digest  # same ids
    g = run_detectors(frames, rules, codes=[CODE]).guards[CODE]
    assert (g["flagged"], g["examined"], g["max_flagged_share"]) == (10, 60, "0.10")
    assert g["en"].startswith("flagged 17 % of certification claims (10 of 60)")


def test_a_handful_of_findings_is_not_doubted(tmp_path: Path) -> None:
    """Below ``guard.min_flagged`` subjects a rule is read finding by finding, whatever share."""
    frames = certification_city(12).frames(tmp_path)
    mis_set = load_rules(rules_file(tmp_path, "200.00"))
    assert run_detectors(frames, mis_set, codes=[CODE]).guards[CODE]["flagged"] == 12
    patient = load_rules(rules_file(tmp_path, "200.00", "[guard]\nmin_flagged = 13\n"))
    assert run_detectors(frames, patient, codes=[CODE]).guards == {}


def test_unset_amounts_check_nothing_and_the_run_says_which_key(frames) -> None:
    result = run_detectors(frames, load_rules(), codes=[CODE])
    assert result.counts[CODE] == 0 and result.guards == {}
    [note] = result.unchecked[CODE]
    assert note["key"] == "policy.certification_subsidy" and note["count"] == 60
    assert note["en"] and note["zh"]


@pytest.mark.parametrize("text", ['[guard]\nmax_flagged_share = "1.5"\n',
                                  f'[rules.{CODE}]\nmax_flagged_share = "0"\n',
                                  '[guard]\nmin_flagged = "ten"\n',
                                  '[guard]\nmax_share = "0.5"\n'])
def test_a_guard_that_cannot_be_read_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError, match=r"guard|max_flagged_share"):
        load_rules(path)
