"""A small city for the web workbench: real findings, and text from outside that is hostile.

The casework city (an overpaid claim, a trainee claimed for after death), with the
dead trainee's name and a complaint's text written as HTML and script, which
every answer must carry as data, never as markup.
"""

from __future__ import annotations

from tests.detectors.city import TinyCity, ts

OVERPAID = "FRAUD_PAY_OVER_APPROVED"
GHOST = "FRAUD_GHOST_DECEASED"
EVIL_NAME = '<script>alert("王")</script>'
EVIL_TEXT = '<img src=x onerror="alert(1)">投诉 13912345678'
TARGETS = """year = 2023
[counties."离石区"]
trainees = 10
certificates = 5
high_skill = 1
"""


def web_city() -> tuple[TinyCity, str, str]:
    """(the events, the dead trainee's ID number, the living trainee's)."""
    c = TinyCity()
    c.budget()
    c.institution()
    ghost = c.person(name=EVIL_NAME)
    alive = c.person(born="1982-08-08")
    c.add("PersonDeceased", ts("2023-01-20", 12), {"person_id": ghost,
                                                    "date_of_death": "2023-01-20"})
    c.klass("C1")
    c.train("C1", [ghost, alive])
    c.claim("CL1", [(ghost, "1000.00", 10), (alive, "1000.00", 10)], cid="C1")
    c.review("CL1", "2000.00")
    c.pay("P1", "CL1", "2000.00")
    c.claim("CL2", [(alive, "4000.00", None)])
    c.review("CL2", "3000.00", decision="partial")
    c.pay("P2a", "CL2", "2000.00")
    c.pay("P2b", "CL2", "1500.00", on="2023-05-15")
    c.add("ComplaintReceived", ts("2023-04-01"), {
        "complaint_id": "CP1", "subject_type": "institution", "subject_id": "I1",
        "text": EVIL_TEXT})
    return c, ghost, alive
