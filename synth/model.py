"""The planned city: compact, mutable records that the planners fill and the emitters read.

Nothing here is an event. Planning decides every fact (who sits in which class, who
attends which day, who passes, what is claimed and paid); injections then bend
chosen facts; the emitters turn the final plan into events day by day. Per-trainee
facts are parallel lists on the class (one slot per roster position ``k``), which
keeps two hundred thousand people and their classes in a few hundred megabytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from synth import timeline
from synth.geography import County
from synth.ids import Contacts, PersonIds
from synth.policy import LocalPolicy

Employment = tuple[int, int, int, bool, int]
"""(employer no, start day, monthly income fen, social insurance, verification day)."""


@dataclass(slots=True)
class Person:
    """A registered resident; ``classes`` and ``done`` exist only once they train."""

    no: int
    pid: str
    name: str
    gender: str
    birth: int
    county: int
    hukou: str
    category: str
    phone: str
    bank: str
    employer: int = -1
    hired: int = 0
    quota: list[int] | None = None
    classes: list[ClassPlan] | None = None
    done: set[tuple[int, int]] | None = None
    verified: bool = False
    idle: bool = True
    died: int = 0
    bank_changes: list[tuple[int, str]] | None = None

    def busy(self, first: int, last: int) -> bool:
        """True when one of their classes shares a day with [first, last]."""
        if not self.classes:
            return False
        return any(not (c.days[-1] < first or c.days[0] > last) for c in self.classes)

    def year_count(self, year: int) -> int:
        """Subsidised-or-not trainings they are enrolled in that end in ``year``."""
        if not self.classes:
            return 0
        return sum(1 for c in self.classes if c.year == year)

    def account_at(self, day: int) -> str:
        """Their bank account on ``day`` (after any PersonUpdated changes)."""
        account = self.bank
        for when, new in self.bank_changes or ():
            if when <= day:
                account = new
        return account


@dataclass(slots=True)
class Institution:
    """A training institution with one venue (its capacity is shared by concurrent classes)."""

    no: int
    iid: str
    name: str
    credit: str
    kind: str
    county: int
    licensed: list[int]
    venue_cap: int
    legal_rep: str
    phone: str
    bank: str
    venue: str
    lat: float
    lon: float
    quality: float
    emp_rate: float
    weight: float
    serves: list[int] = field(default_factory=list)
    load: list[int] = field(default_factory=list)
    dedicated: bool = False
    bank_changes: list[tuple[int, str]] = field(default_factory=list)
    classes: list[ClassPlan] = field(default_factory=list)

    def account_at(self, day: int) -> str:
        """The institution's bank account on ``day``."""
        account = self.bank
        for when, new in self.bank_changes:
            if when <= day:
                account = new
        return account

    def free_seats(self, days: list[int]) -> int:
        """Seats left at the venue over all of ``days``."""
        base = timeline.FIRST_DAY
        return self.venue_cap - max(self.load[d - base] for d in days)

    def occupy(self, days: list[int], seats: int) -> None:
        """Record ``seats`` more people at the venue on ``days``."""
        base = timeline.FIRST_DAY
        for d in days:
            self.load[d - base] += seats


@dataclass(slots=True)
class Agency:
    """An evaluation agency (评价机构); ``first_use`` is its first possible assessment day."""

    no: int
    aid: str
    name: str
    county: int
    occs: list[int]
    filed: bool
    filed_day: int
    filed_sec: int
    linked: int = -1
    weight: float = 1.0
    first_use: int = 0
    dedicated: bool = False


@dataclass(slots=True)
class Employer:
    """An employer; ``employees`` are the registered people it employs from the start."""

    no: int
    eid: str
    name: str
    credit: str
    county: int
    legal_rep: str
    phone: str
    bank: str
    weight: float
    employees: list[int] = field(default_factory=list)
    dedicated: bool = False


@dataclass(slots=True)
class Payment:
    """One transfer of money for a claim."""

    no: int
    pay_id: str
    day: int
    sec: int
    fen: int
    account: str


@dataclass(slots=True)
class Claim:
    """A subsidy claim; items and default payment are resolved once planning is over.

    ``items`` are (person no, fen, days or None, certificate id or None); ``payee`` is
    the claimant whose own account a normal payment goes to.
    """

    no: int
    claim_id: str
    claimant_type: str
    claimant_id: str
    kind: str
    program: str
    county: int
    day: int
    subsidy_year: int
    cls: ClassPlan | None = None
    items: list[tuple[int, int, int | None, str | None]] | None = None
    review_day: int = 0
    decision: str = "approved"
    approved: int | None = None
    reviewed: bool = True
    pay_day: int = 0
    payments: list[Payment] | None = None
    payee: Institution | Employer | Person | None = None

    @property
    def amount(self) -> int:
        """Total claimed, in fen."""
        return sum(i[1] for i in self.items or ())


@dataclass(slots=True)
class Proxy:
    """代签到: one phone checks a group in, seconds apart, on several days."""

    members: list[int]
    days: list[int]
    device: str
    lat: float
    lon: float
    gap_s: tuple[int, int] = (2, 6)
    face: tuple[float, float] = (0.30, 0.60)


@dataclass(slots=True)
class ClassPlan:
    """A class and everything that happens to its trainees (parallel lists by roster slot)."""

    no: int
    cid: str
    inst: Institution
    occ: int
    level: int
    mode: str
    program: str
    days: list[int]
    hours: int
    start_sec: int
    capacity: int
    employer: int
    teacher: str
    open_day: int
    device: str
    method: str = "face"
    persons: list[int] = field(default_factory=list)
    vouchers: list[int] = field(default_factory=list)
    vday: list[int] = field(default_factory=list)
    att: list[int] = field(default_factory=list)
    wd: list[int] = field(default_factory=list)
    cdays: list[int] = field(default_factory=list)
    fen: list[int] = field(default_factory=list)
    score: list[int] = field(default_factory=list)
    cert: list[int] = field(default_factory=list)
    emp: list[Employment | None] = field(default_factory=list)
    pre_emp: list[tuple[int, int]] = field(default_factory=list)
    held: int = 0
    session_hours: int = 0
    agency: int = -1
    assess_day: int = 0
    cert_day: int = 0
    claim: Claim | None = None
    cert_claim: Claim | None = None
    writeoff: bool = True
    writeoff_day: int = 0
    spot: list[tuple[int, int]] = field(default_factory=list)
    proxy: Proxy | None = None
    backfill: tuple[list[int], list[int], int] | None = None
    late_fix: tuple[int, int, int] | None = None
    overrides: dict[tuple[int, int, str], int] | None = None
    methods: dict[int, str] | None = None
    no_assess: list[int] | None = None
    tainted: bool = False
    look: bool = False

    @property
    def year(self) -> int:
        """The subsidy year: the year the class ends."""
        return timeline.year_of(self.days[-1])

    @property
    def county(self) -> int:
        """Classes are held at their institution's venue, in its county."""
        return self.inst.county

    @property
    def end_sec(self) -> int:
        """When a day's session ends: its hours, plus a lunch break for a full day."""
        return self.start_sec + self.session_hours * 3600 + (3600 if self.session_hours > 4 else 0)

    @property
    def size(self) -> int:
        """Enrolled trainees, withdrawn ones included (they held a seat)."""
        return len(self.persons)

    def claimed(self) -> list[int]:
        """Roster slots included in the training claim."""
        return [k for k, d in enumerate(self.cdays) if d >= 0]



@dataclass(slots=True)
class SkillUpgrade:
    """A 失业保险技能提升补贴 paid to a person for a certificate."""

    no: int
    person: int
    cert_id: str
    level: int
    day: int


@dataclass(slots=True)
class Evaluation:
    """An assessment outside any class (社会化评价: graduates, or an agency's burst)."""

    no: int
    person: int
    agency: int
    occ: int
    level: int
    day: int
    sec: int
    score: int
    cert_day: int
    voucher: int = -1
    writeoff_day: int = 0

    @property
    def assessment_id(self) -> str:
        """The agency's assessment number."""
        return f"PJE{self.no:07d}"

    @property
    def cert_id(self) -> str:
        """The certificate number, issued when the score passes."""
        return f"ZSE{timeline.year_of(self.cert_day)}{self.no:07d}"


@dataclass(slots=True)
class Misc:
    """A rare event planned whole: type, times and data, encoded when its day comes."""

    day: int
    sec: int
    event_id: str
    type: str
    source: str
    data: dict[str, Any]
    rec_day: int = 0
    rec_sec: int = 0


@dataclass(slots=True)
class Voucher:
    """A voucher outside any class: issued, then used for an evaluation or left to expire."""

    no: int
    person: int
    kind: str
    occ: int
    day: int


@dataclass
class World:
    """Everything planned, plus the counters that keep identifiers unique and deterministic."""

    seed: int
    size: int
    rng: random.Random
    contacts: Contacts
    ids: PersonIds
    policy: LocalPolicy
    credit_codes: set[str] = field(default_factory=set)
    org_names: set[str] = field(default_factory=set)
    persons: list[Person] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    employers: list[Employer] = field(default_factory=list)
    classes: list[ClassPlan] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    upgrades: list[SkillUpgrade] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)
    misc: list[Misc] = field(default_factory=list)
    budgets: dict[tuple[int, str, int], int] = field(default_factory=dict)
    marks: dict[str, list[Any]] = field(default_factory=dict)
    idle: list[list[int]] = field(default_factory=list)
    n_vouchers: int = 0
    n_payments: int = 0
    n_claims: int = 0
    n_misc: int = 0

    def __post_init__(self) -> None:
        self.idle = [[] for _ in self.policy.counties]

    @property
    def counties(self) -> tuple[County, ...]:
        """The city's counties (indexes are what plans store)."""
        return self.policy.counties

    def voucher_no(self) -> int:
        """The next voucher number."""
        self.n_vouchers += 1
        return self.n_vouchers

    def payment(self, day: int, fen: int, account: str, sec: int | None = None) -> Payment:
        """A new payment with the next number."""
        self.n_payments += 1
        n = self.n_payments
        if sec is None:
            sec = self.rng.randrange(10 * 3600, 16 * 3600)
        return Payment(n, f"PY{n:07d}", day, sec, fen, account)

    def new_claim(self, **kw: Any) -> Claim:
        """A new claim with the next number, added to the plan."""
        self.n_claims += 1
        n = self.n_claims
        claim = Claim(no=n, claim_id=f"CL{n:07d}", **kw)
        self.claims.append(claim)
        return claim

    def add_misc(self, day: int, sec: int, etype: str, source: str, data: dict[str, Any],
                 event_id: str, rec_day: int = 0, rec_sec: int = 0) -> Misc:
        """Plan a rare event; ``event_id`` must be unique (callers build it from their ids)."""
        self.n_misc += 1
        event = Misc(day, sec, event_id, etype, source, data, rec_day or day, rec_sec or sec)
        self.misc.append(event)
        return event
