"""Detection quality on cities the detectors were not tuned to: recall and precision by category.

    python bench/quality.py [--seeds 11 22 33 44 55] [--persons 20000] [--work DIR] [--json]
    python bench/quality.py --db sqlite:///… --truth FILE [--rules FILE]   (one ingested city)

Each seed is its own city (``synth.policy.draw_policy``): another prefecture and
county layout, its own subsidy amounts and class schedules, its own ways of faking. Each
city is generated, ingested and projected once (cached in ``--work``), then detected
twice: with the rules file written from its published policy (``city.rules.toml``) and
with the default rules alone. Findings are matched to the truth file:

* by category (the targets): a finding is *true* when it shares a narrow id (person,
  class, claim, payment, voucher, agency, employer, certificate, county; institutions
  only when a case names nothing narrower) with a case of the finding's own category
  (a case's categories are its pattern's and those of the codes it lists in ``also``);
  a case is *found* when a finding of its category shares one of its ids;
* by code (detail): a finding of code X hits a case of pattern X or one listing X in
  ``also``; recall of a pattern is its cases hit by a finding of that code;
* a look-alike is *hit* by a finding of a code it ``must_not`` trigger that shares one of
  its narrow ids and is not true;
* the rules that tripped the detection result's guard (rules flagging more than a fifth
  of what they examine) are listed when the result carries one.

Targets, on the worst city: with its own rules, recall ≥ 0.97 and precision ≥ 0.97 in
every category and no look-alike hit; with the default rules, precision ≥ 0.95 in every
category. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NARROW = ("person_ids", "class_ids", "claim_ids", "payment_ids", "voucher_ids", "agency_ids",
          "employer_ids", "certificate_ids", "counties")
CATEGORIES = {"DUP": "duplicate_training", "INEFF": "ineffective_training",
              "FRAUD": "subsidy_fraud", "COMP": "compliance"}
OWN_RECALL = OWN_PRECISION = 0.97
DEFAULT_PRECISION = 0.95
SEEDS = (11, 22, 33, 44, 55)
PERSONS = 20_000


def category_of(code: str) -> str:
    """The category a rule code belongs to, by its prefix."""
    return CATEGORIES[code.split("_", 1)[0]]


def case_ids(case: dict[str, Any]) -> set[str]:
    """A case's narrow ids, or its institutions when it names nothing narrower."""
    ids = {str(i) for key in NARROW for i in case.get(key, [])}
    return ids or {str(i) for i in case.get("institution_ids", [])}


def finding_ids(f: Any) -> set[str]:
    """Every id a finding names."""
    return {*f.person_ids, *f.class_ids, *f.claim_ids, *f.payment_ids, *f.institution_ids,
            f.subject_id}


def _index(cases: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Case numbers by id, so matching a finding costs its ids, not every case."""
    by_id: dict[str, list[int]] = defaultdict(list)
    for n, case in enumerate(cases):
        for i in case_ids(case):
            by_id[i].append(n)
    return by_id


def evaluate(findings: list[Any], truth: dict[str, Any]) -> dict[str, Any]:
    """Per category, per code and per look-alike: what the findings got right and wrong."""
    cases = truth["cases"]
    by_id = _index(cases)
    cats_of = [{case["category"], *(category_of(c) for c in case.get("also", []))}
               for case in cases]
    codes_of = [{case["pattern"], *case.get("also", [])} for case in cases]
    found: set[int] = set()  # cases found by a finding of their category
    hit: set[int] = set()  # cases hit by a finding of their own code
    true_cat: set[int] = set()
    true_code: set[int] = set()
    for n, f in enumerate(findings):
        near = {c for i in finding_ids(f) for c in by_id.get(i, ())}
        for c in near:
            if f.category in cats_of[c]:
                true_cat.add(n)
                if f.category == cases[c]["category"]:
                    found.add(c)
            if f.code in codes_of[c]:
                true_code.add(n)
                if f.code == cases[c]["pattern"]:
                    hit.add(c)
    categories: dict[str, dict[str, int]] = {
        cat: {"cases": 0, "found": 0, "findings": 0, "true": 0} for cat in CATEGORIES.values()}
    patterns: dict[str, dict[str, Any]] = {}
    for c, case in enumerate(cases):
        categories[case["category"]]["cases"] += 1
        categories[case["category"]]["found"] += c in found
        p = patterns.setdefault(case["pattern"], _row(case["category"]))
        p["cases"] += 1
        p["hit"] += c in hit
    for n, f in enumerate(findings):
        categories[f.category]["findings"] += 1
        categories[f.category]["true"] += n in true_cat
        p = patterns.setdefault(f.code, _row(f.category))
        p["findings"] += 1
        p["true"] += n in true_code
        p["true_by_category"] += n in true_cat
    looks = []
    by_code: dict[str, list[int]] = defaultdict(list)
    for n, f in enumerate(findings):
        by_code[f.code].append(n)
    for look in truth.get("lookalikes", []):
        ids = {str(i) for key in NARROW for i in look.get(key, [])} or {
            str(i) for i in look.get("institution_ids", [])}
        for code in look.get("must_not", []):
            for n in by_code.get(code, []):
                if n not in true_cat and finding_ids(findings[n]) & ids:
                    looks.append({"lookalike": look["case_id"], "kind": look["kind"],
                                  "code": code, "subject": findings[n].subject_id})
    return {"categories": categories, "patterns": patterns, "lookalike_hits": looks}


def _row(category: str) -> dict[str, Any]:
    return {"category": category, "cases": 0, "hit": 0, "findings": 0, "true": 0,
            "true_by_category": 0}


def ratio(a: int, b: int) -> float | None:
    """a / b, or None when there is nothing to divide."""
    return a / b if b else None


def fmt(x: float | None) -> str:
    return f"{x:5.2f}" if x is not None else "  n/a"


def guard_of(result: Any) -> dict[str, str]:
    """The rules that tripped the result's guard, as code → note (empty when it has none)."""
    return {str(code): str(g.get("en", "")) for code, g in sorted(result.guards.items())}


# -- one city -----------------------------------------------------------------------------

def prepare(seed: int, persons: int, work: Path) -> tuple[str, Path, Path]:
    """Generate, ingest and project one city once; later runs reuse the work directory."""
    from projections.projector import Projector, engine_for
    from synth import generate

    home = work / f"city-{seed}-{persons}"
    home.mkdir(parents=True, exist_ok=True)
    city, truth, rules = home / "city.jsonl", home / "city.truth.json", home / "city.rules.toml"
    url = f"sqlite:///{home / 'city.db'}"
    done = home / "ingested.ok"
    if not done.exists():
        for old in home.iterdir():
            old.unlink()
        started = time.perf_counter()
        s = generate(persons, seed, city, truth, rules=rules)
        print(f"seed {seed}: generated {s.events:,} events, {s.injected} cases, "
              f"{s.lookalikes} look-alikes in {time.perf_counter() - started:.0f}s", flush=True)
        subprocess.run([sys.executable, "-m", "skillaudit", "ingest", str(city), "--db", url,
                        "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        city.unlink()  # the store holds it now; the truth and rules files stay
        done.write_text("ok\n", encoding="utf-8")
    engine = engine_for(url)
    Projector(engine).run()
    engine.dispose()
    return url, truth, rules


def detect(url: str, rules_path: Path | None) -> tuple[list[Any], dict[str, str], float,
                                                         dict[str, str]]:
    """Findings, the guard's rules, the seconds taken and any detector errors."""
    from detectors.rules import load_rules
    from detectors.run import run_detectors
    from projections.projector import engine_for
    from projections.views import Views

    engine = engine_for(url)
    started = time.perf_counter()
    result = run_detectors(Views(engine), load_rules(rules_path))
    seconds = time.perf_counter() - started
    engine.dispose()
    return result.findings, guard_of(result), seconds, dict(result.errors)


def judge(seed: int, url: str, truth_path: Path, rules_path: Path | None) -> dict[str, Any]:
    """Both runs of one city, evaluated."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report: dict[str, Any] = {"seed": seed, "policy": truth.get("policy", {}),
                              "cases": len(truth["cases"]), "lookalikes": len(truth["lookalikes"])}
    runs = (("own", rules_path), ("defaults", None)) if rules_path else (("defaults", None),)
    for name, path in runs:
        findings, guard, seconds, errors = detect(url, path)
        run = evaluate(findings, truth)
        run.update(findings=len(findings), guard=guard, seconds=round(seconds, 1),
                   errors=errors)
        report[name] = run
    return report


# -- targets and printing -----------------------------------------------------------------

def worst(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Per category the lowest recall and precision over the cities, and the look-alike hits."""
    out: dict[str, Any] = {}
    for run in ("own", "defaults"):
        per: dict[str, dict[str, Any]] = {}
        for cat in CATEGORIES.values():
            recalls = [(ratio(r[run]["categories"][cat]["found"],
                              r[run]["categories"][cat]["cases"]), r["seed"])
                       for r in reports if run in r]
            precisions = [(ratio(r[run]["categories"][cat]["true"],
                                 r[run]["categories"][cat]["findings"]), r["seed"])
                          for r in reports if run in r]
            recalls = [x for x in recalls if x[0] is not None]
            precisions = [x for x in precisions if x[0] is not None]
            per[cat] = {"recall": min(recalls, default=(None, None)),
                        "precision": min(precisions, default=(None, None))}
        hits = sum(len(r[run]["lookalike_hits"]) for r in reports if run in r)
        out[run] = {"categories": per, "lookalike_hits": hits}
    return out


def misses(w: dict[str, Any]) -> list[str]:
    """The targets the worst city misses, in words."""
    out = []
    for cat, v in w["own"]["categories"].items():
        if v["recall"][0] is not None and v["recall"][0] < OWN_RECALL:
            out.append(f"own rules: {cat} recall {v['recall'][0]:.2f} (seed {v['recall'][1]})")
        if v["precision"][0] is not None and v["precision"][0] < OWN_PRECISION:
            out.append(f"own rules: {cat} precision {v['precision'][0]:.2f} "
                       f"(seed {v['precision'][1]})")
    if w["own"]["lookalike_hits"]:
        out.append(f"own rules: {w['own']['lookalike_hits']} look-alike hits")
    for cat, v in w["defaults"]["categories"].items():
        if v["precision"][0] is not None and v["precision"][0] < DEFAULT_PRECISION:
            out.append(f"default rules: {cat} precision {v['precision'][0]:.2f} "
                       f"(seed {v['precision'][1]})")
    return out


def print_city(r: dict[str, Any], every_code: bool) -> None:
    pol = r["policy"]
    print(f"\n== seed {r['seed']}: {pol.get('province', '')}{pol.get('city', '')}, "
          f"{len(pol.get('counties', []))} counties, {r['cases']} cases, "
          f"{r['lookalikes']} look-alikes")
    unpublished = sorted({"certification_subsidy", "level_min_hours", "apprentice_per_person",
                          "entrepreneurship_per_person", "local_minimum_income"}
                         - set(pol.get("published", [])))
    print(f"   not published: {', '.join(unpublished) or 'nothing'}")
    runs = [n for n in ("own", "defaults") if n in r]
    print(f"   {'category':<22}" + "".join(f"{n + ' recall':>16}{n + ' precision':>20}"
                                           for n in runs))
    for cat in CATEGORIES.values():
        cells = []
        for n in runs:
            c = r[n]["categories"][cat]
            cells.append(f"{fmt(ratio(c['found'], c['cases'])):>8} {c['found']:>3}/{c['cases']:<3}"
                         f"{fmt(ratio(c['true'], c['findings'])):>10} {c['true']:>4}/"
                         f"{c['findings']:<4}")
        print(f"   {cat:<22}" + "".join(f"{cell:>36}" for cell in cells))
    for n in runs:
        run = r[n]
        print(f"   {n}: {run['findings']:,} findings in {run['seconds']}s, look-alike hits "
              f"{len(run['lookalike_hits'])}" + (f", errors {run['errors']}" if run['errors']
                                                  else ""))
        for h in run["lookalike_hits"][:10]:
            print(f"      look-alike {h['lookalike']} {h['kind']}: {h['code']} on {h['subject']}")
        for code, note in run["guard"].items():
            print(f"      guard: {code} {note}")
    print(f"   {'code':<32}{'cases':>6}{'hit':>5}{'recall':>8}" + "".join(
        f"{n + ' find':>14}{'true':>6}{'prec':>6}" for n in runs))
    codes = sorted({*r[runs[0]]["patterns"], *r[runs[-1]]["patterns"]},
                   key=lambda c: (category_of(c), c))
    for code in codes:
        rows = [r[n]["patterns"].get(code, _row(category_of(code))) for n in runs]
        first = rows[0]
        perfect = all(x["hit"] == x["cases"] and x["true_by_category"] == x["findings"]
                      for x in rows)
        if perfect and not every_code:
            continue
        print(f"   {code:<32}{first['cases']:>6}{first['hit']:>5}"
              f"{fmt(ratio(first['hit'], first['cases'])):>8}" + "".join(
                  f"{x['findings']:>14}{x['true_by_category']:>6}"
                  f"{fmt(ratio(x['true_by_category'], x['findings'])):>6}" for x in rows))


def print_worst(w: dict[str, Any]) -> None:
    print("\n== worst city per category")
    for run, target in (("own", f"recall ≥ {OWN_RECALL}, precision ≥ {OWN_PRECISION}"),
                        ("defaults", f"precision ≥ {DEFAULT_PRECISION}")):
        print(f"   {run} rules (target {target}):")
        for cat, v in w[run]["categories"].items():
            (rec, rs), (pre, ps) = v["recall"], v["precision"]
            print(f"     {cat:<24} recall {fmt(rec)} (seed {rs})   precision {fmt(pre)} "
                  f"(seed {ps})")
        print(f"     look-alike hits, all cities: {w[run]['lookalike_hits']}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    p.add_argument("--persons", type=int, default=PERSONS)
    p.add_argument("--work", type=Path, default=Path("/tmp/skillaudit-quality"),
                   help="where cities are generated and ingested once, then reused")
    p.add_argument("--db", help="an ingested store instead of generated cities (with --truth)")
    p.add_argument("--truth", type=Path)
    p.add_argument("--rules", type=Path, help="with --db: the city's own rules file")
    p.add_argument("--all-codes", action="store_true", help="print every code, not only misses")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    reports = []
    if a.db:
        if a.truth is None:
            p.error("--db needs --truth")
        from projections.projector import Projector, engine_for

        engine = engine_for(a.db)
        Projector(engine).run()
        engine.dispose()
        reports.append(judge(0, a.db, a.truth, a.rules))
    else:
        for seed in a.seeds:
            url, truth, rules = prepare(seed, a.persons, a.work)
            reports.append(judge(seed, url, truth, rules))
            if not a.json:
                print_city(reports[-1], a.all_codes)
    w = worst(reports)
    missed = misses(w)
    if a.json:
        print(json.dumps({"cities": reports, "worst": w, "missed": missed}, ensure_ascii=False,
                         default=str))
    else:
        if a.db:
            print_city(reports[0], a.all_codes)
        print_worst(w)
        print("\ntargets met" if not missed else "\ntargets missed:\n  " + "\n  ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
