"""The rules lab's API: the rules in force, a what-if that records nothing, adopting (admins)."""

from __future__ import annotations

from tests.web.city import GHOST, OVERPAID
from tests.web.conftest import WebCity

CANDIDATE = f"""[rules.{OVERPAID}]
min_excess = "1000.00"

[rules.{GHOST}]
severity = "medium"
"""


def test_the_rules_in_force_with_their_text(city: WebCity) -> None:
    r = city.as_role("finance").get("/api/rules")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["defaults"] is True and "[rules." + GHOST + "]" in body["text"]
    assert body["in_force"]["digest"] and body["in_force"]["adopted"] is None


def test_a_what_if_as_text_shows_the_difference_and_records_nothing(city: WebCity) -> None:
    client = city.as_role("finance")
    before = client.get("/api/chain").json()["by_type"]
    r = client.post("/api/rules/what-if", data={"text": CANDIDATE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["by_rule"][OVERPAID]["gone"] == 1
    assert body["by_rule"][GHOST]["before"] == body["by_rule"][GHOST]["after"] == 1
    assert [d["code"] for d in body["differences"]["gone"]] == [OVERPAID]
    assert body["totals"]["gone"] == 1 and body["errors"] == {}
    after = client.get("/api/chain").json()["by_type"]
    for kind in ("FindingRaised", "DetectionRun", "RulesAdopted"):
        assert after.get(kind, 0) == before.get(kind, 0)
    assert city.ghost not in r.text  # masked for finance


def test_a_what_if_as_an_upload_as_of_a_day(city: WebCity) -> None:
    r = city.as_role("inspector").post(
        "/api/rules/what-if", params={"as_of_day": "2023-01-10"},
        files={"file": ("mine.toml", CANDIDATE.encode(), "application/toml")})
    assert r.status_code == 200, r.text
    assert r.json()["candidate"]["source"] == "mine.toml"
    assert r.json()["by_rule"][OVERPAID]["before"] == 0  # nothing paid by then


def test_a_bad_rules_file_is_refused_naming_the_key(city: WebCity) -> None:
    r = city.as_role("finance").post("/api/rules/what-if",
                                     data={"text": f"[rules.{OVERPAID}]\nno_such_key = 1\n"})
    assert r.status_code == 400 and "no_such_key" in r.json()["error"]["message"]
    r = city.as_role("finance").post("/api/rules/what-if", data={"text": "this is [ not toml"})
    assert r.status_code == 400 and "TOML" in r.json()["error"]["message"]
    r = city.as_role("finance").post("/api/rules/what-if", data={})
    assert r.status_code == 400


def test_only_admins_adopt_and_an_adoption_is_an_event(city: WebCity) -> None:
    for role in ("investigator", "finance", "inspector"):
        r = city.as_role(role).post("/api/rules/adopt", data={"text": CANDIDATE})
        assert r.status_code == 403
    r = city.as_role("admin").post("/api/rules/adopt", data={"text": CANDIDATE})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["stored"] and body["event_id"]
    shown = city.as_role("finance").get("/api/rules").json()
    assert shown["defaults"] is False and shown["text"] == CANDIDATE
    assert shown["in_force"]["digest"] == body["rules"]["digest"]
    again = city.as_role("admin").post("/api/rules/adopt", data={"text": CANDIDATE})
    assert again.json()["stored"] is False
    log = city.as_role("admin").get("/api/access", params={"action": "adopt_rules"}).json()
    assert any(a["subject_id"] == body["rules"]["digest"] for a in log["accesses"])
