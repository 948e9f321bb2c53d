"""Events of a class's life, one emitter per kind of day: vouchers, opening, sessions, results.

``session`` is the hot path (check-ins are most of the file): it formats lines with
f-strings and draws times from the emission RNG. Normal check-ins queue at the
class's terminal over 20-40 minutes before the session, at least 11 s apart (so
never more than six a minute), with face scores of 0.80-0.99 and GPS fixes a few
metres around the venue; check-outs follow the session's end. Injected bends
(proxy bursts, back-filled or late records, forced times, other methods) are
looked up only when a class has them.
"""

from __future__ import annotations

from synth import occupations, policy, timeline
from synth.encoding import Ctx, Out, put
from synth.model import ClassPlan
from synth.outcomes import assessment_id, cert_id, normal_income
from synth.policy import PASS_MARK, yuan

_DAY = timeline.DAY_SECONDS
_TOD = timeline.TOD
MIN_GAP = 60 // policy.NORMAL_MAX_CHECKINS_PER_MINUTE + 1  # s between check-ins at a terminal
JITTER = 0.00006  # degrees: a few metres of GPS noise
FACE_LOW = policy.NORMAL_MIN_FACE_SCORE


def voucher_id(no: int) -> str:
    """The voucher platform's number."""
    return f"V{no:08d}"


def vouchers_issued(ctx: Ctx, out: Out, cls: ClassPlan, ks: list[int]) -> None:
    """Vouchers of some trainees, issued on one office day before the class opens."""
    rng = ctx.rng
    kind = "enterprise" if cls.mode in ("enterprise", "apprentice") else "training"
    occ = occupations.CODES[cls.occ]
    for k in ks:
        vno = cls.vouchers[k]
        if vno < 0:
            continue
        day = cls.vday[k]
        vid = voucher_id(vno)
        put(ctx, out, f"vp-{vid}-i", "VoucherIssued", day, rng.randrange(9 * 3600, 17 * 3600),
            "voucher", {"voucher_id": vid, "person_id": ctx.pid[cls.persons[k]], "kind": kind,
                        "occupation": occ,
                        "expires_on": timeline.iso(day + policy.VOUCHER_VALID_DAYS)})


def class_data(cls: ClassPlan, county_code: str) -> dict[str, object]:
    """The ClassOpened data of a class."""
    occ = occupations.OCCUPATIONS[cls.occ]
    inst = cls.inst
    data: dict[str, object] = {
        "class_id": cls.cid, "institution_id": inst.iid, "occupation": occ.code,
        "occupation_name": occ.name, "level": cls.level, "mode": cls.mode,
        "county": county_code, "venue": inst.venue, "lat": inst.lat,
        "lon": inst.lon, "capacity": cls.capacity, "start_date": timeline.iso(cls.days[0]),
        "end_date": timeline.iso(cls.days[-1]), "planned_days": len(cls.days),
        "planned_hours": len(cls.days) * cls.hours, "program": cls.program,
    }
    return data


def opened(ctx: Ctx, out: Out, cls: ClassPlan) -> None:
    """ClassOpened and the roster's enrolments, uploaded the same morning."""
    rng = ctx.rng
    data = class_data(cls, ctx.world.counties[cls.county].code)
    if cls.employer >= 0:
        data["employer_id"] = ctx.world.employers[cls.employer].eid
    sec = rng.randrange(9 * 3600, 10 * 3600)
    put(ctx, out, f"rn-{cls.cid}-open", "ClassOpened", cls.open_day, sec, "realname", data)
    for k, pno in enumerate(cls.persons):
        enrolled: dict[str, object] = {"class_id": cls.cid, "person_id": ctx.pid[pno]}
        if cls.vouchers[k] >= 0:
            enrolled["voucher_id"] = voucher_id(cls.vouchers[k])
        put(ctx, out, f"rn-{cls.cid}-e{k:03d}", "TraineeEnrolled", cls.open_day,
            sec + 60 + 20 * k + rng.randrange(15), "realname", enrolled)


def _queue(ctx: Ctx, n: int, first: int, window: int, gap: int) -> list[int]:
    """``n`` arrival times in [first, first + window), sorted, at least ``gap`` seconds apart."""
    rand = ctx.rng.random  # C-level draws: randrange costs several Python calls each
    times = sorted(int(rand() * window) for _ in range(n))
    prev = -gap
    for j, t in enumerate(times):
        if t < prev + gap:
            t = prev + gap
            times[j] = t
        prev = t
    return [first + t for t in times]


def _with_fixed(ks: list[int], times: list[int], fixed: dict[int, int]) -> list[int]:
    """Times by roster order where some people check in at fixed times; the queue keeps
    ``MIN_GAP`` from them and from itself, so no minute ever holds more than six check-ins."""
    fixed = {k: t for k, t in fixed.items() if k in ks}
    if not fixed:
        return times
    pinned = sorted(fixed.values())
    queue = iter(sorted(times)[: len(ks) - len(fixed)])
    placed: dict[int, int] = {}
    prev = -MIN_GAP
    for k in ks:
        if k in fixed:
            continue
        t = max(next(queue), prev + MIN_GAP)
        while any(abs(t - p) < MIN_GAP for p in pinned):
            t += MIN_GAP
        placed[k] = prev = t
    placed.update(fixed)
    return [placed[k] for k in ks]


def session(ctx: Ctx, out: Out, cls: ClassPlan, i: int) -> None:
    """One class day: SessionHeld, everyone's check-in and check-out, withdrawals, visits."""
    if i >= cls.held:
        return
    rng = ctx.rng
    day = cls.days[i]
    cid = cls.cid
    base = day * _DAY
    end = cls.end_sec
    put(ctx, out, f"rn-{cid}-s{i:02d}", "SessionHeld", day, end, "realname",
        {"class_id": cid, "date": timeline.iso(day), "hours": cls.session_hours,
         "teacher": cls.teacher}, lag=rng.randint(60, 900))
    bit = 1 << i
    ks = [k for k, m in enumerate(cls.att) if m & bit]
    special = bool(cls.proxy or cls.backfill or cls.late_fix or cls.overrides or cls.methods)
    proxied: list[int] = []
    if cls.proxy is not None and i in cls.proxy.days:
        group = set(cls.proxy.members)
        proxied = [k for k in ks if k in group]
        ks = [k for k in ks if k not in group]
    rng.shuffle(ks)
    window = rng.randint(1200, 2400)
    ins = _queue(ctx, len(ks), cls.start_sec - window, window - 60, MIN_GAP)
    outs = _queue(ctx, len(ks), end + 30, rng.randint(300, 900), MIN_GAP)
    if cls.overrides is not None:
        ins = _with_fixed(ks, ins, {k: t for (k, j, d), t in cls.overrides.items()
                                    if j == i and d == "in"})
        outs = _with_fixed(ks, outs, {k: t for (k, j, d), t in cls.overrides.items()
                                      if j == i and d == "out"})
    dp = timeline.day_prefix(day)
    pid = ctx.pid
    inst = cls.inst
    lat0, lon0 = inst.lat, inst.lon
    rand = rng.random
    n = 0
    for direction, times in (("in", ins), ("out", outs)):
        tag = "i" if direction == "in" else "o"
        for k, t in zip(ks, times, strict=True):
            method = cls.method
            if special:
                if cls.backfill is not None and k in cls.backfill[0] and i in cls.backfill[1]:
                    continue
                if cls.late_fix is not None and cls.late_fix[:2] == (k, i) and direction == "in":
                    continue
                if cls.methods is not None:
                    method = cls.methods.get(k, method)
            r = t + 1 + int(rand() * 90)
            lat = lat0 + (rand() - 0.5) * JITTER
            lon = lon0 + (rand() - 0.5) * JITTER
            if method == "face":
                tail = (f'"method":"face","device_id":"{cls.device}","lat":{lat:.6f},'
                        f'"lon":{lon:.6f},"face_score":{FACE_LOW + rand() * 0.19:.2f}}}}}')
            elif method == "manual":
                tail = '"method":"manual"}}'
            else:
                tail = (f'"method":"{method}","device_id":"{cls.device}","lat":{lat:.6f},'
                        f'"lon":{lon:.6f}}}}}')
            out.append((base + r, (
                f'{{"event_id":"rn-{cid}-a{k:03d}{i:02d}{tag}","type":"AttendanceRecorded",'
                f'"occurred_at":"{dp}{_TOD[t]}+08:00","recorded_at":"{dp}{_TOD[r]}+08:00",'
                f'"source":"realname","data":{{"class_id":"{cid}","person_id":"{pid[cls.persons[k]]}",'
                f'"direction":"{direction}",{tail}')))
            n += 1
    ctx.count("AttendanceRecorded", n)
    if proxied:
        _proxy(ctx, out, cls, i, proxied)
    for k, stayed in enumerate(cls.wd):
        if stayed >= 1 and stayed - 1 == i:
            put(ctx, out, f"rn-{cid}-w{k:03d}", "TraineeWithdrew", day,
                end + rng.randint(1800, 7200), "realname",
                {"class_id": cid, "person_id": pid[cls.persons[k]]})
        elif stayed == 0 and i == 0:
            put(ctx, out, f"rn-{cid}-w{k:03d}", "TraineeWithdrew", day,
                cls.start_sec - rng.randint(3600, 7200), "realname",
                {"class_id": cid, "person_id": pid[cls.persons[k]]})
    for idx, shortfall in cls.spot:
        if idx == i:
            _spot(ctx, out, cls, i, shortfall)


def checked_in(cls: ClassPlan, i: int) -> int:
    """How many trainees have a check-in for session ``i`` (proxied ones included)."""
    bit = 1 << i
    return sum(1 for m in cls.att if m & bit)


def _spot(ctx: Ctx, out: Out, cls: ClassPlan, i: int, shortfall: int) -> None:
    """SpotCheckPerformed: ``shortfall`` below the check-ins, or an absolute count if negative."""
    rng = ctx.rng
    count = -shortfall if shortfall < 0 else max(0, checked_in(cls, i) - shortfall)
    county = ctx.world.counties[cls.county].name
    sec = cls.start_sec + rng.randint(5400, 14400)
    put(ctx, out, f"sv-{cls.cid}-{i:02d}", "SpotCheckPerformed", cls.days[i], sec, "supervision",
        {"class_id": cls.cid, "inspector": f"{county}人社局劳动保障监察大队·{cls.teacher[0]}检查员",
         "headcount_observed": count}, lag=rng.randint(600, 3600))


def _proxy(ctx: Ctx, out: Out, cls: ClassPlan, i: int, ks: list[int]) -> None:
    """代签到: one phone, one spot, a burst of check-ins seconds apart with poor face matches."""
    rng = ctx.rng
    proxy = cls.proxy
    assert proxy is not None
    day = cls.days[i]
    rng.shuffle(ks)
    for direction, first in (("in", cls.start_sec - rng.randint(600, 1500)),
                             ("out", cls.end_sec + rng.randint(60, 600))):
        t = first
        for k in ks:
            t += rng.randint(*proxy.gap_s)
            put(ctx, out, f"rn-{cls.cid}-a{k:03d}{i:02d}{direction[0]}", "AttendanceRecorded",
                day, t, "realname",
                {"class_id": cls.cid, "person_id": ctx.pid[cls.persons[k]],
                 "direction": direction, "method": "face", "device_id": proxy.device,
                 "lat": proxy.lat, "lon": proxy.lon,
                 "face_score": round(rng.uniform(*proxy.face), 2)}, lag=rng.randint(1, 20))


def late_records(ctx: Ctx, out: Out, cls: ClassPlan, record_day: int) -> None:
    """补录: check-ins entered by hand on ``record_day`` for sessions that happened earlier."""
    rng = ctx.rng
    entries: list[tuple[int, int, str]] = []
    if cls.backfill is not None and cls.backfill[2] == record_day:
        members, days, _ = cls.backfill
        entries.extend((k, i, d) for i in days for k in members
                       if cls.att[k] >> i & 1 for d in ("in", "out"))
    if cls.late_fix is not None:
        k, i, delay = cls.late_fix
        if cls.days[i] + delay == record_day:
            entries.append((k, i, "in"))
    sec = rng.randrange(9 * 3600, 11 * 3600)
    for k, i, direction in entries:
        t = (cls.start_sec - rng.randint(300, 1800)) if direction == "in" else (
            cls.end_sec + rng.randint(60, 900))
        sec += rng.randint(5, 40)
        put(ctx, out, f"rn-{cls.cid}-a{k:03d}{i:02d}{direction[0]}", "AttendanceRecorded",
            cls.days[i], t, "realname",
            {"class_id": cls.cid, "person_id": ctx.pid[cls.persons[k]], "direction": direction,
             "method": "manual"}, rday=record_day, rsec=sec)


def completed(ctx: Ctx, out: Out, cls: ClassPlan) -> None:
    """ClassCompleted after the last planned day, with the hours actually delivered."""
    rng = ctx.rng
    put(ctx, out, f"rn-{cls.cid}-done", "ClassCompleted", cls.days[-1],
        cls.end_sec + rng.randint(600, 3600), "realname",
        {"class_id": cls.cid, "delivered_hours": cls.held * cls.session_hours})


def assessments(ctx: Ctx, out: Out, cls: ClassPlan) -> None:
    """AssessmentTaken for every assessed trainee, scores entered the same afternoon."""
    rng = ctx.rng
    agency = ctx.world.agencies[cls.agency].aid
    occ = occupations.CODES[cls.occ]
    skip = set(cls.no_assess or ())
    for k, s in enumerate(cls.score):
        if s < 0 or k in skip:
            continue
        sec = rng.randrange(9 * 3600, 16 * 3600)
        aid = assessment_id(cls, k)
        put(ctx, out, f"ev-{aid}", "AssessmentTaken", cls.assess_day, sec, "evaluation",
            {"assessment_id": aid, "person_id": ctx.pid[cls.persons[k]], "agency_id": agency,
             "occupation": occ, "level": cls.level, "score": s, "passed": s >= PASS_MARK},
            lag=rng.randint(600, 7200))


def certificates(ctx: Ctx, out: Out, cls: ClassPlan) -> None:
    """CertificateIssued for the class's passes, one batch."""
    rng = ctx.rng
    agency = ctx.world.agencies[cls.agency].aid
    occ = occupations.CODES[cls.occ]
    skip = set(cls.no_assess or ())
    sec = rng.randrange(10 * 3600, 15 * 3600)
    for k, has in enumerate(cls.cert):
        if not has:
            continue
        data: dict[str, object] = {"certificate_id": cert_id(cls, k),
                                   "person_id": ctx.pid[cls.persons[k]], "agency_id": agency,
                                   "occupation": occ, "level": cls.level}
        if k not in skip:
            data["assessment_id"] = assessment_id(cls, k)
        sec += rng.randint(1, 20)
        put(ctx, out, f"ev-{cert_id(cls, k)}", "CertificateIssued", cls.cert_day, sec,
            "evaluation", data)


def employment(ctx: Ctx, out: Out, cls: ClassPlan, ks: list[int], pre: bool) -> None:
    """EmploymentVerified: jobs found after the class, or employees verified before it."""
    rng = ctx.rng
    world = ctx.world
    for k in ks:
        person = world.persons[cls.persons[k]]
        if pre:
            emp = world.employers[person.employer]
            day = next(d for kk, d in cls.pre_emp if kk == k)
            data = {"person_id": person.pid, "employer_id": emp.eid,
                    "start_date": timeline.iso(person.hired),
                    "monthly_income": yuan(normal_income(world, rng)),
                    "social_insurance": True}
            event_id = f"hr-{cls.cid}-p{k:03d}"
        else:
            job = cls.emp[k]
            assert job is not None
            employer, start, income, insured, day = job
            data = {"person_id": person.pid, "employer_id": world.employers[employer].eid,
                    "start_date": timeline.iso(start), "monthly_income": yuan(income),
                    "social_insurance": insured}
            event_id = f"hr-{cls.cid}-j{k:03d}"
        put(ctx, out, event_id, "EmploymentVerified", day, rng.randrange(9 * 3600, 17 * 3600),
            "employment", data)
