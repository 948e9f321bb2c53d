"""Current state as pandas DataFrames, folded from the read-model rows, as of any point.

Entities (persons, institutions, agencies, employers, classes) are folded from
their registration and update rows in the order the events *occurred* (then
by position), so an update delivered before its registration still wins:
late delivery gives the same final state as in-order delivery. Money columns
are integer fen (``*_fen``); ``engine.money`` converts at the edges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from projections import keyed
from projections.asof import NOW, AsOf
from projections.attendance import attended
from projections.cache import RowCache
from projections.horizon import COLUMNS as HORIZON_COLUMNS
from projections.horizon import Horizon
from projections.idcheck import id_columns
from projections.read import read_rows
from projections.tables import metadata

CHECKIN_COLUMNS = ("position", "recorded_us", "occurred_at", "occurred_ts", "class_id",
                   "person_id", "direction", "method", "device_id", "lat", "lon", "face_score")
_ON_CHECKINS = ("checkins", "trainee_attendance")  # frames that need the check-in read
# subsidies for year Y are paid by 31 March of Y+1 (the Jinzhong 2023 work plan)
DEADLINE_MONTH_DAY = "03-31"
# the tables a frame was derived from: (table, columns) -> (kept head, visible rows)
Reads = dict[tuple[str, tuple[str, ...] | None], tuple[int, int]]


class carried:
    """A frame computed once per ``Views``, and carried to the next ``Views`` of a
    long-running reader (one that keeps a ``RowCache``) while every table it was
    derived from shows the same rows.

    A stream's follower builds every frame each second, yet most tables of master
    data (persons, institutions, agencies) get no new rows for hours: folding and
    checking them again would give the very same frame.
    """

    def __init__(self, func: Callable[[Views], pd.DataFrame]):
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, views: Views | None, owner: type | None = None) -> object:
        if views is None:
            return self
        if self.name in views.__dict__:  # derived already: its reads count again
            views._reads_seen(views._frame_reads.get(self.name, {}))
            return views.__dict__[self.name]
        frame = views._derive(self.name, self.func)
        views.__dict__[self.name] = frame
        return frame

    def __set__(self, views: Views, frame: pd.DataFrame) -> None:
        """A data descriptor, so that every use of a frame counts as a read of its rows."""
        views.__dict__[self.name] = frame


class Views:
    """Read-side queries over one database's read models, as of one point."""

    def __init__(self, engine: sa.Engine, as_of: AsOf = NOW, cache: RowCache | None = None,
                 horizon: Horizon | None = None):
        self.engine = engine
        self.as_of = as_of
        self.horizon = horizon  # a stream cycle's: rows not every partition has passed wait
        self.cache = cache if as_of == NOW else None  # kept rows are only ever current
        self._ahead: dict[tuple[str, tuple[str, ...] | None], Future[pd.DataFrame]] = {}
        self._started_ahead = False
        # tables read so far, by (name, columns): with every column always (several frames
        # fold the same table), with some columns when rows are kept (a carried frame's
        # check reads what the frame built next reads too)
        self._seen: dict[tuple[str, tuple[str, ...] | None], pd.DataFrame] = {}
        # the table reads of each frame being derived (innermost last), for carrying it
        self._reads: list[Reads | None] = []
        self.carried: set[str] = set()  # frames this Views took over from the last one
        self._frame_reads: dict[str, Reads | None] = {}  # each derived frame's reads

    # -- raw rows ------------------------------------------------------------------------------

    def read_ahead(self) -> None:
        """Start reading the check-ins (by far the biggest table) in the background.

        Called before loading every frame the detectors read: the read runs in a
        reader process while this one folds the other frames, instead of after them.
        """
        if self.cache is not None or self._started_ahead or "checkins" in self.__dict__:
            return
        self._started_ahead = True
        key = ("rm_attendance", tuple(CHECKIN_COLUMNS))
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._ahead[key] = pool.submit(self._read, key[0], list(CHECKIN_COLUMNS), None)
        pool.shutdown(wait=False)

    def load_order(self, names: Iterable[str]) -> list[str]:
        """``names`` with the frames built on check-ins last: after ``read_ahead`` the
        other frames fold while the check-ins are read, instead of waiting for them."""
        names = list(names)
        return [n for n in names if n not in _ON_CHECKINS] + [
            n for n in names if n in _ON_CHECKINS]

    def rows(self, name: str, columns: list[str] | None = None,
             where: list[sa.ColumnElement[bool]] | None = None, *,
             few: bool = False) -> pd.DataFrame:
        """The visible rows of one read-model table (all columns unless named);
        ``few`` when ``where`` selects a handful (read plainly, see ``read_frame``)."""
        if where:
            if self._reads:  # a frame built on a selection is never carried
                self._reads[-1] = None
            return self._read(name, columns, where, few)
        key = (name, tuple(columns) if columns else None)
        if key in self._seen:  # read already: the same rows (a copy-on-write copy)
            frame = self._seen[key].copy(deep=False)
        elif (name, None) in self._seen:  # read whole already: its columns
            frame = self._seen[(name, None)][columns]
        else:
            ahead = self._ahead.pop(key, None)
            frame = ahead.result() if ahead is not None else self._read(name, columns, None)
            if columns is None or self.cache is not None:
                self._seen[key] = frame
                frame = frame.copy(deep=False)
        if self._reads and self._reads[-1] is not None and self.cache is not None:
            self._reads[-1][key] = (self.cache.head(name), len(frame))
        return frame

    def _derive(self, name: str, build: Callable[[Views], pd.DataFrame]) -> pd.DataFrame:
        """``build(self)``, or the last ``Views``'s frame when the rows it was built from
        are the same: no table read for it has a row past the last time's head, and as
        many of its rows are visible (a horizon only ever shows more). Nothing is carried
        past the calendar day: ages and voucher expiry move with it."""
        if self.cache is None:
            return build(self)
        day = today()
        kept = self.cache.derived.get(name)
        if kept is not None and kept[0] == day and self._unchanged(kept[1]):
            self._frame_reads[name] = kept[1]
            self._reads_seen(kept[1])
            self.carried.add(name)
            return kept[2].copy(deep=False)
        self.cache.derived.pop(name, None)  # not held beside its successor while it is built
        self._reads.append({})
        try:
            frame = build(self)
        finally:
            reads = self._reads.pop()
        self._frame_reads[name] = reads
        self._reads_seen(reads)
        if reads is not None:
            self.cache.derived[name] = (day, reads, frame)
        return frame.copy(deep=False)  # the kept frame never changes (copy-on-write)

    def _unchanged(self, reads: Reads) -> bool:
        """Whether each table in ``reads`` shows the same rows as then (each is read
        again, which fetches only its new rows, and kept for the frames built next)."""
        self._reads.append({})
        try:
            for (table, columns), seen in reads.items():
                self.rows(table, list(columns) if columns else None)
                if self._reads[-1][(table, columns)] != seen:
                    return False
            return True
        finally:
            self._reads.pop()

    def _reads_seen(self, reads: Reads | None) -> None:
        """A frame's reads count for the frame being derived around it, if any (None: it
        was built on a selection, and so is that one)."""
        if not self._reads or self._reads[-1] is None:
            return
        if reads is None:
            self._reads[-1] = None
        else:
            self._reads[-1].update(reads)

    def _read(self, name: str, columns: list[str] | None,
              where: list[sa.ColumnElement[bool]] | None, few: bool = False) -> pd.DataFrame:
        horizon = self.horizon if self.horizon and self.horizon.applies_to(name) else None
        if horizon is not None:
            wanted = columns
            if columns is not None:
                columns = [*columns, *(c for c in HORIZON_COLUMNS if c not in columns)]
            frame = horizon.visible(self._read_rows(name, columns, where, few))
            return frame if wanted is None or list(frame.columns) == wanted else frame[wanted]
        return self._read_rows(name, columns, where, few)

    def _read_rows(self, name: str, columns: list[str] | None,
                   where: list[sa.ColumnElement[bool]] | None, few: bool = False
                   ) -> pd.DataFrame:
        table = metadata.tables[name]
        if self.cache is not None and not where:  # kept in Beijing time, money exact
            return self.cache.rows(self.engine, name, columns)
        # the rules reason in Beijing's calendar
        cols = [table.c[c] for c in columns] if columns else list(table.c)
        query = sa.select(*cols).where(*self.as_of.where(table), *(where or []))
        return read_rows(self.engine, query, few=few)

    @staticmethod
    def _fold(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        """Last non-null value of every column per key, in occurred order then position."""
        if frame.empty:
            return frame.drop(columns=["position", "recorded_us", "occurred_ts"],
                              errors="ignore").set_index(key)
        ordered = frame.sort_values(["occurred_ts", "position"], kind="stable")
        ordered = ordered[ordered[key].notna()]
        # most keys have one row (a voucher is issued once): those are their own fold, and
        # only keys with updates pay for the group-by
        many = ordered[key].duplicated(keep=False).to_numpy()
        parts = []
        if many.any():
            grouped = ordered[many].groupby(key, sort=True)
            first = grouped[["occurred_at", "position"]].first()
            last = grouped.last()  # skips nulls: updates carry only changes
            last["registered_at"] = first["occurred_at"]
            last["position"] = first["position"]  # the first event's, for evidence
            parts.append(last)
        if not many.all():
            single = ordered[~many].set_index(key)
            single["registered_at"] = single["occurred_at"]
            parts.append(single)
        out = parts[0] if len(parts) == 1 else pd.concat(parts)
        out = out.drop(columns=["position", "recorded_us", "occurred_ts"], errors="ignore") \
            .assign(position=out["position"])
        return out if len(parts) == 1 and many.any() else out.sort_index()

    # -- master data ---------------------------------------------------------------------------

    @carried
    def persons(self) -> pd.DataFrame:
        """One row per person: folded registration, death date, ID validity, age, birth mismatch."""
        p = self._fold(self.rows("rm_person_versions").drop(columns=["event_type"]), "person_id")
        deaths = self.rows("rm_deaths", ["person_id", "date_of_death", "position"])
        first_death = deaths.sort_values("date_of_death").groupby("person_id").first()
        p["date_of_death"] = _on(p, first_death["date_of_death"])
        p["death_position"] = _on(p, first_death["position"]).astype("Int64")
        problems, born_on = id_columns(list(p.index))
        kind = p.index.dtype  # the string dtype a Series.map over the ids would keep
        p["id_problem"] = pd.Series(problems, index=p.index, dtype=kind)
        p["id_valid"] = p["id_problem"].isna()
        p["id_birth_date"] = pd.Series(born_on, index=p.index, dtype=kind)
        ref = self.as_of.reference_date() or today().isoformat()
        died = p["date_of_death"].fillna(ref).astype(str)  # the dead age no further
        p["age"] = _age(p["birth_date"], died.where(died < ref, ref))
        return p

    @carried
    def person_history(self) -> pd.DataFrame:
        """Every registration/update row of persons, in occurred order (contacts over time)."""
        return self.rows("rm_person_versions").sort_values(
            ["person_id", "occurred_ts", "position"], kind="stable").reset_index(drop=True)

    @carried
    def institution_history(self) -> pd.DataFrame:
        """Every registration/update row of institutions, in occurred order."""
        return self.rows("rm_institution_versions").sort_values(
            ["institution_id", "occurred_ts", "position"], kind="stable").reset_index(drop=True)

    @carried
    def institutions(self) -> pd.DataFrame:
        return self._fold(self.rows("rm_institution_versions").drop(columns=["event_type"]),
                          "institution_id")

    @carried
    def licences(self) -> pd.DataFrame:
        """Licensed occupations over time: each version's list with the time it took effect."""
        return self.rows("rm_institution_licences",
                         ["position", "occurred_ts", "occurred_at", "institution_id",
                          "occupation"]).sort_values(["institution_id", "occurred_ts", "position"])

    @carried
    def agencies(self) -> pd.DataFrame:
        return self._fold(self.rows("rm_agencies"), "agency_id")

    @carried
    def agency_history(self) -> pd.DataFrame:
        """Every registration row of agencies (filing status and occupations over time)."""
        return self.rows("rm_agencies").sort_values(
            ["agency_id", "occurred_ts", "position"], kind="stable").reset_index(drop=True)

    @carried
    def agency_occupations(self) -> pd.DataFrame:
        return self.rows("rm_agency_occupations", ["agency_id", "occupation", "occurred_at"])

    @carried
    def employers(self) -> pd.DataFrame:
        return self._fold(self.rows("rm_employers"), "employer_id")

    # -- training ------------------------------------------------------------------------------

    @carried
    def classes(self) -> pd.DataFrame:
        """One row per class, with delivered hours and days, roster size and completion."""
        c = self._fold(self.rows("rm_classes"), "class_id")
        sessions = self.sessions[["class_id", "date", "hours"]]
        per_day = sessions.groupby(["class_id", "date"])["hours"].max()
        agg = per_day.groupby("class_id").agg(session_days="count", session_hours="sum")
        c = c.join(agg)
        done = self.rows("rm_class_completions", ["class_id", "delivered_hours", "occurred_at"])
        done = done.sort_values("occurred_at").groupby("class_id").last()
        c["delivered_hours"] = _on(c, done["delivered_hours"])
        c["completed_at"] = _on(c, done["occurred_at"])
        roster = self.roster
        c["enrolled"] = _on(c, roster.groupby("class_id").size())
        c["active"] = _on(c, roster[~roster["withdrawn"]].groupby("class_id").size())
        for col in ("session_days", "enrolled", "active"):
            c[col] = c[col].fillna(0).astype("int64")
        c["session_hours"] = c["session_hours"].fillna(0.0)
        return c

    @carried
    def sessions(self) -> pd.DataFrame:
        """Every session held (class, date, hours) with its position, for evidence."""
        return self.rows("rm_sessions", ["position", "occurred_at", "class_id", "date", "hours"])

    @carried
    def completions(self) -> pd.DataFrame:
        """Every ClassCompleted row (delivered hours as reported) with its position."""
        return self.rows("rm_class_completions", ["position", "occurred_at", "class_id",
                                                  "delivered_hours"])

    @carried
    def roster(self) -> pd.DataFrame:
        """One row per class × person enrolled, with whether they withdrew afterwards."""
        e = self.rows("rm_enrolments", ["position", "occurred_ts", "occurred_at", "class_id",
                                        "person_id", "voucher_id"])
        e = e.sort_values(["occurred_ts", "position"]).groupby(
            ["class_id", "person_id"], as_index=False).first()
        w = self.rows("rm_withdrawals", ["occurred_ts", "class_id", "person_id"])
        w = w.groupby(["class_id", "person_id"], as_index=False)["occurred_ts"].max()
        w = w.rename(columns={"occurred_ts": "withdrew_ts"})
        r = e.merge(w, on=["class_id", "person_id"], how="left")
        r["withdrawn"] = r["withdrew_ts"].notna() & (r["withdrew_ts"] >= r["occurred_ts"])
        return r.rename(columns={"occurred_at": "enrolled_at", "occurred_ts": "enrolled_ts",
                                 "position": "enrol_position"})

    @carried
    def checkins(self) -> pd.DataFrame:
        """Every attendance record, for the detectors (device, place, face score, time)."""
        a = self.rows("rm_attendance", list(CHECKIN_COLUMNS))
        a["date"] = a["occurred_at"].str.slice(0, 10)  # the training day in Beijing
        return a

    @carried
    def trainee_attendance(self) -> pd.DataFrame:
        """Per class × person on the roster: attended days, hours and rate against the plan.

        A day counts when the trainee checked in; its hours are that day's
        session hours (or the class's planned hours per day when no session
        was recorded that day).
        """
        r = self.roster[["class_id", "person_id", "withdrawn"]]
        sessions = self.sessions[["class_id", "date", "hours"]]
        cls = self.classes[["planned_days", "planned_hours"]]
        per_day = cls["planned_hours"] / cls["planned_days"].replace(0, np.nan)
        days, hours = attended(self.checkins, sessions, per_day, r)
        out = r.assign(attended_days=days, attended_hours=hours).join(cls, on="class_id")
        out["hours_rate"] = out["attended_hours"] / out["planned_hours"].replace(0, np.nan)
        return out

    # -- outcomes ------------------------------------------------------------------------------

    @carried
    def assessments(self) -> pd.DataFrame:
        return self.rows("rm_assessments")

    @carried
    def certificates(self) -> pd.DataFrame:
        return self.rows("rm_certificates")

    @carried
    def employment(self) -> pd.DataFrame:
        return self.rows("rm_employment")

    @carried
    def skill_upgrade_payments(self) -> pd.DataFrame:
        return self.rows("rm_skill_upgrade_payments")

    # -- money ---------------------------------------------------------------------------------

    @carried
    def claims(self) -> pd.DataFrame:
        """One row per claim with its last review, money paid and recovered (fen)."""
        c = self._fold(self.rows("rm_claims"), "claim_id")
        c["year"] = c["occurred_at"].str.slice(0, 4).astype("int64")
        reviews = self.rows("rm_claim_reviews").sort_values(["occurred_ts", "position"])
        last = reviews.groupby("claim_id").last()
        c["decision"] = _on(c, last["decision"])
        c["approved_fen"] = _on(c, last["approved_amount_fen"].astype("Int64"))
        c["reviewed_at"] = _on(c, last["occurred_at"])
        c["reviews"] = _on(c, reviews.groupby("claim_id").size())
        pay = self.payments
        c["paid_fen"] = _on(c, pay.groupby("claim_id")["amount_fen"].sum())
        c["payments"] = _on(c, pay.groupby("claim_id").size())
        c["recovered_fen"] = _on(c, pay.groupby("claim_id")["recovered_fen"].sum())
        for col in ("paid_fen", "payments", "recovered_fen", "reviews"):
            c[col] = c[col].fillna(0).astype("int64")
        return c

    @carried
    def claim_items(self) -> pd.DataFrame:
        return self.rows("rm_claim_items")

    @carried
    def payments(self) -> pd.DataFrame:
        """Payments with their claim's year, the deadline, lateness and recoveries (fen)."""
        p = self.rows("rm_payments")
        claims = self.rows("rm_claims")[["claim_id", "occurred_at"]].drop_duplicates(
            "claim_id").rename(columns={"occurred_at": "claimed_at"})
        p = p.merge(claims, on="claim_id", how="left")
        p["paid_on"] = p["occurred_at"].str.slice(0, 10)
        year = p["claimed_at"].fillna(p["occurred_at"]).str.slice(0, 4).astype("int64")
        p["year"] = year
        p["deadline"] = (year + 1).astype(str) + "-" + DEADLINE_MONTH_DAY
        p["late"] = p["paid_on"] > p["deadline"]
        rec = self.rows("rm_recoveries", ["payment_id", "amount_fen"])
        p["recovered_fen"] = p["payment_id"].map(
            rec.groupby("payment_id")["amount_fen"].sum()).fillna(0).astype("int64")
        return p

    @carried
    def budgets(self) -> pd.DataFrame:
        return self.rows("rm_budgets")

    @carried
    def vouchers(self) -> pd.DataFrame:
        """Each voucher's place in the loop 申请-发券-培训(评价)-兑现-核销."""
        v = self._fold(self.rows("rm_vouchers"), "voucher_id")
        n = len(v)
        red = self.rows("rm_voucher_redemptions", ["voucher_id", "occurred_at", "class_id",
                                                   "amount_fen"])
        at = keyed.codes(v.index, red["voucher_id"])
        v["redeemed_fen"] = keyed.sum_per(at, n, red["amount_fen"])
        v["redeemed_at"] = keyed.min_per(at, n, red["occurred_at"]).array
        v["redeemed_class_id"] = keyed.first_per(at, n, red["class_id"]).array
        off = self.rows("rm_voucher_writeoffs", ["voucher_id", "occurred_at"])
        v["written_off_at"] = keyed.min_per(keyed.codes(v.index, off["voucher_id"]), n,
                                            off["occurred_at"]).array
        roster = self.roster
        v["used_in_class"] = keyed.first_per(keyed.codes(v.index, roster["voucher_id"]), n,
                                             roster["class_id"]).array
        ref = self.as_of.reference_date() or today().isoformat()
        v["stage"] = np.select(
            [v["written_off_at"].notna(), v["redeemed_at"].notna(),
             v["used_in_class"].notna(), v["expires_on"] < ref],
            ["written_off 核销", "redeemed 兑现", "training 培训", "expired 过期"],
            default="issued 发券")
        return v

    @carried
    def spot_checks(self) -> pd.DataFrame:
        s = self.rows("rm_spot_checks")
        s["date"] = s["occurred_at"].str.slice(0, 10)
        return s

    @carried
    def complaints(self) -> pd.DataFrame:
        return self.rows("rm_complaints")


def today() -> date:
    """The calendar day, which frames with ages and expiry depend on (tests move it)."""
    return date.today()


def _on(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Values aligned to a frame's index (assigning to an empty frame must not add rows)."""
    return values.reindex(frame.index)


def _age(birth: pd.Series, ref: pd.Series) -> pd.Series:
    """Whole years between ISO birth dates and ISO reference dates, row by row."""
    b = birth.fillna("")
    ok = b.str.len() >= 10

    def parts(d: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        return (pd.to_numeric(d.str.slice(0, 4), errors="coerce"),
                pd.to_numeric(d.str.slice(5, 7), errors="coerce"),
                pd.to_numeric(d.str.slice(8, 10), errors="coerce"))

    (by, bm, bd), (ry, rm, rd) = parts(b), parts(ref.astype(str))
    age = ry - by - ((rm < bm) | ((rm == bm) & (rd < bd))).astype("int64")
    return age.where(ok).astype("Int64")
