"""A source that never sends the spec's optional fields must not stop any rule.

Every field the event spec marks optional (``?``) is removed from every event of
a generated city; the city is then ingested, projected and run through every
registered detector, none of which may fail. (A rule that fails loses all its
findings for the run, so this is about recall on cities unlike the generator's.)
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from detectors.rules import load_rules
from detectors.run import run_detectors
from engine.ingest import ingest
from engine.store.factory import open_store
from projections.projector import Projector, engine_for
from projections.views import Views
from synth import generate

pytestmark = pytest.mark.slow

# the event format (docs/reference/events.md), the fields marked `?` (optional), by event type
OPTIONAL = {
    "InstitutionRegistered": ("legal_rep_id", "phone", "bank_account"),
    "AgencyRegistered": ("linked_institution_id",),
    "EmployerRegistered": ("legal_rep_id", "phone", "bank_account"),
    "PersonRegistered": ("phone", "bank_account"),
    "VoucherRedeemed": ("class_id", "assessment_id"),
    "ClassOpened": ("occupation_name", "lat", "lon", "employer_id"),
    "TraineeEnrolled": ("voucher_id",),
    "SessionHeld": ("teacher",),
    "AttendanceRecorded": ("device_id", "lat", "lon", "face_score"),
    "CertificateIssued": ("assessment_id",),
    "SubsidyClaimed": ("class_id",),
    "ClaimReviewed": ("reviewer",),
    "SpotCheckPerformed": ("notes",),
}
ITEM_OPTIONAL = ("days", "certificate_id")  # inside SubsidyClaimed.items


def stripped(line: bytes) -> bytes:
    event = msgspec.json.decode(line)
    data = event.get("data", {})
    for name in OPTIONAL.get(event.get("type"), ()):
        data.pop(name, None)
    for item in data.get("items", ()) if event.get("type") == "SubsidyClaimed" else ():
        for name in ITEM_OPTIONAL:
            item.pop(name, None)
    return msgspec.json.encode(event)


def test_no_detector_fails_without_the_optional_fields(tmp_path: Path) -> None:
    city = tmp_path / "city.jsonl"
    generate(50, 5, city, tmp_path / "truth.json")
    lines = city.read_bytes().splitlines()
    bare = [stripped(line) for line in lines]
    assert sum(len(a) for a in bare) < sum(len(a) for a in lines)  # fields were removed
    path = tmp_path / "bare.jsonl"
    path.write_bytes(b"\n".join(bare) + b"\n")
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    store = open_store(url)
    summary = ingest(store, [str(path)], parallel=False)
    store.close()
    assert summary.quarantined == 0  # optional means a valid event without it
    engine = engine_for(url)
    Projector(engine).run()
    result = run_detectors(Views(engine), load_rules(None))
    assert result.errors == {}
    assert sum(result.counts.values()) > 0
