"""Detection quality (issue 7): recall and precision per pattern and category vs the truth file.

    python bench/quality.py [--persons 20000] [--seed 7] [--db sqlite:///… --truth FILE]

Generates a city (or takes an ingested one and its truth file), runs every
detector, and matches findings to the injected cases:

* a finding of code X *hits* a case of pattern X (or a case listing X in ``also``)
  when they share an id (person, class, claim, payment, voucher, agency, employer,
  certificate or county; institutions only when the case names nothing narrower);
* recall of a pattern = its cases hit by at least one finding of that code;
* precision of a code = its findings that hit a case / all its findings;
* a look-alike is hit when a finding of a code it ``must_not`` trigger shares one of
  its narrow ids and no injected case explains that finding.

Targets: recall ≥ 0.95 and precision ≥ 0.95 in every category, zero look-alike hits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NARROW = ("person_ids", "class_ids", "claim_ids", "payment_ids", "voucher_ids", "agency_ids",
          "employer_ids", "certificate_ids", "counties")


def case_ids(case: dict[str, Any]) -> set[str]:
    ids = {str(i) for key in NARROW for i in case.get(key, [])}
    return ids or {str(i) for i in case.get("institution_ids", [])}


def finding_ids(f: Any) -> set[str]:
    return {*f.person_ids, *f.class_ids, *f.claim_ids, *f.payment_ids, *f.institution_ids,
            f.subject_id}


def evaluate(findings: list[Any], truth: dict[str, Any]) -> dict[str, Any]:
    cases = truth["cases"]
    by_code: dict[str, list[Any]] = defaultdict(list)
    for f in findings:
        by_code[f.code].append(f)
    hit_cases: set[str] = set()
    true_findings: set[int] = set()
    for case in cases:
        ids = case_ids(case)
        for code in (case["pattern"], *case.get("also", [])):
            for f in by_code.get(code, []):
                if finding_ids(f) & ids:
                    true_findings.add(id(f))
                    if code == case["pattern"]:
                        hit_cases.add(case["case_id"])
    patterns: dict[str, dict[str, Any]] = {}
    for case in cases:
        p = patterns.setdefault(case["pattern"], {"category": case["category"], "cases": 0,
                                                   "hit": 0, "findings": 0, "true": 0})
        p["cases"] += 1
        p["hit"] += case["case_id"] in hit_cases
    for code, fs in by_code.items():
        p = patterns.setdefault(code, {"category": fs[0].category, "cases": 0, "hit": 0,
                                       "findings": 0, "true": 0})
        p["findings"] = len(fs)
        p["true"] = sum(id(f) in true_findings for f in fs)
    look_hits = []
    for look in truth.get("lookalikes", []):
        ids = {str(i) for key in NARROW for i in look.get(key, [])} or {
            str(i) for i in look.get("institution_ids", [])}
        for code in look.get("must_not", []):
            for f in by_code.get(code, []):
                # a finding an injected case explains is not a false alarm on the look-alike
                if finding_ids(f) & ids and id(f) not in true_findings:
                    look_hits.append((look["case_id"], look["kind"], code, f.subject_id))
    cats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in patterns.values():
        c = cats[p["category"]]
        for k in ("cases", "hit", "findings", "true"):
            c[k] += p[k]
    return {"patterns": patterns, "categories": cats, "lookalike_hits": look_hits}


def ratio(a: int, b: int) -> str:
    return f"{a / b:5.2f}" if b else "  n/a"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--db")
    p.add_argument("--truth", type=Path)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    url, truth_path = a.db, a.truth
    if url is None:
        from engine.synth import generate

        work = Path(tempfile.mkdtemp(prefix="sa-quality-"))
        city = work / "city.jsonl"
        t = time.perf_counter()
        s = generate(a.persons, a.seed, city)
        truth_path = s.truth
        print(f"generated {s.events:,} events, {s.injected} cases, {s.lookalikes} look-alikes "
              f"({a.persons:,} persons, seed {a.seed}) in {time.perf_counter() - t:.0f}s")
        url = f"sqlite:///{work / 'city.db'}"
        subprocess.run([sys.executable, "-m", "skillaudit", "ingest", str(city), "--db", url,
                        "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert truth_path is not None
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    from detectors.rules import load_rules
    from detectors.run import run_detectors
    from projections.projector import Projector, engine_for
    from projections.views import Views

    engine = engine_for(url)
    Projector(engine).run()
    t = time.perf_counter()
    result = run_detectors(Views(engine), load_rules())
    print(f"detected {len(result.findings):,} findings in {time.perf_counter() - t:.1f}s\n")
    report = evaluate(result.findings, truth)
    if a.json:
        print(json.dumps(report, ensure_ascii=False, default=str))
        return
    print(f"{'pattern / code':<34}{'cases':>6}{'hit':>5}{'recall':>8}"
          f"{'findings':>10}{'true':>6}{'precision':>10}")
    for code, r in sorted(report["patterns"].items(), key=lambda kv: (kv[1]["category"], kv[0])):
        print(f"{code:<34}{r['cases']:>6}{r['hit']:>5}{ratio(r['hit'], r['cases']):>8}"
              f"{r['findings']:>10}{r['true']:>6}{ratio(r['true'], r['findings']):>10}")
    print("\nper category (target recall ≥ 0.95, precision ≥ 0.95):")
    for cat, r in sorted(report["categories"].items()):
        print(f"  {cat:<24} recall {ratio(r['hit'], r['cases'])}  "
              f"precision {ratio(r['true'], r['findings'])}  "
              f"({r['hit']}/{r['cases']} cases, {r['true']}/{r['findings']} findings)")
    hits = report["lookalike_hits"]
    print(f"\nlook-alike hits (target 0): {len(hits)}")
    for h in hits[:20]:
        print("  ", *h)


if __name__ == "__main__":
    main()
