"""Detectors split over forked workers give exactly what one process gives."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from detectors.rules import load_rules
from detectors.run import run_detectors
from projections.views import Views
from synth import generate
from tests.detectors.city import projected

pytestmark = pytest.mark.slow


def test_forked_workers_find_the_same_as_one_process(tmp_path: Path) -> None:
    out = tmp_path / "city.jsonl"
    generate(50, 5, out, tmp_path / "truth.json")
    out.write_bytes(b"\n".join(out.read_bytes().splitlines()[:30_000]) + b"\n")
    engine = projected(out, f"sqlite:///{tmp_path / 's.db'}")
    rules = load_rules(None)
    one = run_detectors(Views(engine), rules)
    assert one.findings, "the city should raise findings"
    weights = {code: float(n) for n, code in enumerate(one.counts)}  # an uneven split
    for workers in (2, 3):
        many = run_detectors(Views(engine), rules, workers=workers, weights=weights)
        assert many.errors == {} and many.counts == one.counts
        assert [(f.identity("r"), f.facts_digest()) for f in many.findings] == [
            (f.identity("r"), f.facts_digest()) for f in one.findings]
        assert set(many.seconds) == set(one.seconds)


def _fakes(n: int, behave: Callable[[], None]) -> dict[str, object]:
    """``n`` stand-in detectors; each reports which process ran it."""
    import dataclasses
    import types

    from detectors.base import Finding

    @dataclasses.dataclass(frozen=True)
    class Params:
        """Stand-ins take no parameters."""

    fakes = {}
    for i in range(n):
        code = f"FAKE_{i:02d}"

        def detect(frames: object, p: Params, code: str = code) -> list[Finding]:
            behave()
            return [Finding.make(code=code, category="fraud", severity="low", title="t",
                                 zh="z", en="e", subject_type="worker",
                                 subject_id=str(os.getpid()))]
        fakes[code] = types.SimpleNamespace(CODE=code, CATEGORY="fraud", Params=Params,
                                            detect=detect)
    return fakes


def test_workers_take_detectors_as_they_free_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights that lie (one detector said to take as long as all the others) must not
    leave one worker idle: each takes the next detector when it is free."""
    import time

    from detectors import run

    fakes = _fakes(8, lambda: time.sleep(0.05))
    monkeypatch.setattr(run, "registry", lambda: fakes)
    weights = {code: 0.01 for code in fakes} | {"FAKE_00": 10.0}
    result = run.run_detectors(_NoFrames(), load_rules(None), workers=2, weights=weights)
    assert result.errors == {} and sorted(result.counts) == sorted(fakes)
    ran_by = [f.subject_id for f in result.findings]
    assert len(set(ran_by)) == 2  # both processes worked
    assert min(ran_by.count(pid) for pid in set(ran_by)) >= 3  # a split by weight: 1 and 7


def test_a_worker_that_dies_leaves_its_detector_not_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a dead worker took is reported as not run (so none of its findings is
    withdrawn); the others' findings stand."""
    import time

    from detectors import run

    parent = os.getpid()

    def behave() -> None:
        if os.getpid() != parent:
            os._exit(1)  # the child dies on the first detector it takes
        time.sleep(0.05)

    fakes = _fakes(6, behave)
    monkeypatch.setattr(run, "registry", lambda: fakes)
    result = run.run_detectors(_NoFrames(), load_rules(None), workers=2)
    assert len(result.errors) == 1
    (lost,) = result.errors
    assert "worker failed" in result.errors[lost]
    assert sorted(result.counts) == sorted(set(fakes) - {lost})
    assert {f.subject_id for f in result.findings} == {str(parent)}


class _NoFrames:
    """Frames for stand-in detectors, which read none: every frame is empty."""

    def __getattr__(self, name: str) -> object:
        import pandas as pd

        if name.startswith("_") or name in ("read_ahead", "load_order"):
            raise AttributeError(name)
        return pd.DataFrame()
