"""Every list reads as of a log position or a recording time when asked."""

from __future__ import annotations

from tests.web.conftest import WebCity

LISTS = ("/api/findings", "/api/cases", "/api/ledger", "/api/credit", "/api/plan")


def test_lists_as_of_the_beginning_are_empty_and_now_they_are_not(city: WebCity) -> None:
    c = city.as_role("investigator")
    assert c.post("/api/cases", json={"finding_id": city.overpaid}).status_code in (200, 409)
    now = {p: c.get(p).json() for p in LISTS}
    assert now["/api/findings"]["total"] >= 2 and now["/api/cases"]["total"] >= 1
    assert now["/api/ledger"]["rows"] and now["/api/credit"]["ratings"]
    for point in ({"as_of_position": 1}, {"as_of": "2000-01-01T00:00:00+08:00"},
                  {"as_of_day": "2000-01-01"}):
        then = {p: c.get(p, params=point) for p in LISTS}
        assert all(r.status_code == 200 for r in then.values()), point
        assert then["/api/findings"].json()["total"] == 0
        assert then["/api/cases"].json()["total"] == 0
        assert then["/api/credit"].json()["ratings"] == []
        rows = then["/api/ledger"].json()["rows"]  # the first event is the year's budget
        assert rows == [] if "as_of_position" not in point else [
            r["claimed"] for r in rows] == ["0.00"]
    gone = c.get(f"/api/timelines/person/{city.ghost}", params={"as_of_position": 1})
    assert gone.status_code == 404


def test_as_of_between_the_detection_and_the_case(city: WebCity) -> None:
    c = city.as_role("investigator")
    listed = c.get("/api/findings").json()
    case = c.get(f"/api/cases/case-{city.overpaid}")
    if case.status_code == 404:
        assert c.post("/api/cases", json={"finding_id": city.overpaid}).status_code == 200
    opened = c.get(f"/api/cases/case-{city.overpaid}").json()["history"][0]["position"]
    before = c.get("/api/cases", params={"as_of_position": opened - 1}).json()
    assert all(x["case_id"] != f"case-{city.overpaid}" for x in before["cases"])
    assert c.get("/api/findings", params={"as_of_position": opened - 1}).json()["total"] \
        == listed["total"]  # the findings came before the case


def test_as_of_a_day_is_what_was_recorded_by_its_end_in_beijing(city: WebCity) -> None:
    c = city.as_role("finance")
    today = c.get("/api/findings", params={"as_of_day": "2999-12-31"}).json()["total"]
    assert today == c.get("/api/findings").json()["total"]
    assert c.get("/api/findings", params={"as_of_day": "2024-02-30"}).status_code == 400
    both = c.get("/api/findings", params={"as_of_day": "2024-02-01",
                                           "as_of": "2024-02-01T00:00:00+08:00"})
    assert both.status_code == 400
