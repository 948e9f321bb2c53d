"""Detection speed: all detectors over a 200,000-person city, each one timed.

    python bench/detect.py [--persons 200000] [--db sqlite:///… (an ingested city)]

Runs in a child process (so its peak memory is its own): bring the read models up
to date, load the frames, run every detector; prints each detector's time, the
frame-loading time, the total and the peak memory. Target: ≤ 120 s, ≤ 8 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import json, time
from detectors.rules import load_rules
from detectors.run import run_detectors
from projections.projector import Projector, engine_for
from projections.views import Views
t0 = time.perf_counter()
engine = engine_for({url!r})
applied = Projector(engine).run().applied
t1 = time.perf_counter()
views = Views(engine)
frames = {{}}
for name in ("persons", "person_history", "institutions", "institution_history", "licences",
             "agencies", "agency_occupations", "employers", "classes", "roster", "checkins",
             "trainee_attendance", "assessments", "certificates", "employment",
             "skill_upgrade_payments", "claims", "claim_items", "payments", "budgets",
             "vouchers", "spot_checks", "complaints"):
    t = time.perf_counter(); getattr(views, name); frames[name] = time.perf_counter() - t
t2 = time.perf_counter()
result = run_detectors(views, load_rules())
t3 = time.perf_counter()
print(json.dumps({{"project": t1 - t0, "applied": applied, "frames": t2 - t1,
                  "frame_seconds": frames, "detect": t3 - t2, "total": t3 - t0,
                  "seconds": result.seconds, "counts": result.counts,
                  "events": len(views.checkins)}}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--db")
    a = p.parse_args()
    url = a.db
    if url is None:
        from synth import generate

        work = Path(tempfile.mkdtemp(prefix="sa-bench-detect-"))
        city = work / "city.jsonl"
        s = generate(a.persons, a.seed, city)
        print(f"generated {s.events:,} events ({a.persons:,} persons)", flush=True)
        url = f"sqlite:///{work / 'city.db'}"
        subprocess.run([sys.executable, "-m", "skillaudit", "ingest", str(city), "--db", url,
                        "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(url=url)], cwd=ROOT,
                            stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("detection failed")
    r = json.loads(out)
    wall = time.perf_counter() - started
    print(f"read models brought up to date: {r['applied']:,} events in {r['project']:.1f}s")
    print(f"frames loaded in {r['frames']:.1f}s ({r['events']:,} check-ins)")
    for name, sec in sorted(r["frame_seconds"].items(), key=lambda kv: -kv[1])[:5]:
        print(f"    {name:<26}{sec:7.1f}s")
    print("detectors:")
    for code, sec in sorted(r["seconds"].items(), key=lambda kv: -kv[1]):
        print(f"    {code:<34}{sec:7.2f}s {r['counts'][code]:>8,} findings")
    both = r["frames"] + r["detect"]
    print(f"detectors total {r['detect']:.1f}s; frames + detectors {both:.1f}s;"
          f" whole run {wall:.1f}s; peak memory {usage.ru_maxrss / 1024:,.0f} MiB "
          "(target ≤ 120 s, ≤ 8 GB)")


if __name__ == "__main__":
    main()
