"""Plan completion per county (年度计划完成), its ranking, and the biweekly dispatch table.

The Jinzhong 2023 work plan breaks the year's plan down by county (附件1), ranks
counties monthly by their completion ratio ("按照年度计划完成比例对各县(区、市)进行调度排队") and
asks for a biweekly progress report (双周调度, 附件2). The targets come from a
TOML file, keyed by the ``county`` value the events carry (the generator and
ID numbers use the six-digit region code, 141102 = 离石区)::

    year = 2023
    [counties."141102"]
    trainees = 1500              # 补贴性职业技能培训 (persons)
    enterprise_trainees = 500    # 其中企业职工 (enterprise and apprentice classes)
    certificates = 1200          # 新增技能人才 (certificates issued)
    high_skill = 100             # 新增高技能人才 (certificates at level 3 or above)

Trainees count once per county and year: persons on the roster (not withdrawn)
of classes of that county starting that year. Certificates count by the
holder's registered county in the year they were issued. A target county the
data never names would silently show 0 %, so ``check_targets`` says which.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from engine.errors import UsageError
from projections.views import Views

ENTERPRISE_MODES = ("enterprise", "apprentice")
METRICS = ("trainees", "enterprise_trainees", "certificates", "high_skill")
RANKED = ("trainees", "certificates", "high_skill")

HEADERS_ZH = {
    "rank": "排名", "county": "县(区、市)", "overall_rate": "综合完成率",
    "trainees_target": "培训计划(人)", "trainees": "累计培训(人)", "trainees_rate": "培训完成率",
    "enterprise_trainees_target": "企业职工培训计划", "enterprise_trainees": "企业职工累计培训",
    "enterprise_trainees_rate": "企业职工完成率", "enterprise_share": "企业职工占比",
    "certificates_target": "取证计划(人)", "certificates": "累计取证(人)",
    "certificates_rate": "取证完成率", "high_skill_target": "高技能人才计划",
    "high_skill": "累计高技能人才", "high_skill_rate": "高技能完成率",
    "trainees_period": "本期新增培训", "certificates_period": "本期新增取证",
    "period_start": "本期起", "period_end": "本期止",
}


class TargetsError(UsageError, ValueError):
    """The targets file is missing a field or has a wrong value (message names which)."""


@dataclass(frozen=True)
class Targets:
    year: int
    counties: dict[str, dict[str, int]]

    @classmethod
    def load(cls, path: str | Path) -> Targets:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TargetsError(f"cannot read targets file {path}: {exc}") from None
        if not isinstance(raw.get("year"), int):
            raise TargetsError(f"{path}: `year = 2023` (an integer) is required")
        counties: dict[str, dict[str, int]] = {}
        for county, fields in (raw.get("counties") or {}).items():
            row = {}
            for metric in METRICS:
                value = fields.get(metric, 0)
                if not isinstance(value, int) or value < 0:
                    raise TargetsError(f"{path}: counties.{county}.{metric} must be an "
                                       f"integer ≥ 0, not {value!r}")
                row[metric] = value
            unknown = set(fields) - set(METRICS)
            if unknown:
                raise TargetsError(f"{path}: counties.{county} has unknown keys "
                                   f"{sorted(unknown)}; known: {list(METRICS)}")
            counties[county] = row
        if not counties:
            raise TargetsError(f"{path}: no [counties.\"NAME\"] tables")
        return cls(raw["year"], counties)

    def dump(self) -> str:
        lines = [f"year = {self.year}", ""]
        for county, row in self.counties.items():
            lines.append(f'[counties."{county}"]')
            lines += [f"{m} = {row[m]}" for m in METRICS]
            lines.append("")
        return "\n".join(lines)


def actuals(views: Views, year: int, start: str | None = None,
            end: str | None = None) -> pd.DataFrame:
    """Per county: trainees, enterprise trainees, certificates, high-skill certificates.

    ``start``/``end`` (ISO dates, inclusive) narrow the count to a period of the year;
    they are clipped to the year, so a date after it never counts the next year's work.
    """
    lo = max(start or "", f"{year}-01-01")
    hi = min(end or "9999-12-31", f"{year}-12-31")
    classes = views.classes[["county", "mode", "start_date"]]
    roster = views.roster[~views.roster["withdrawn"]].join(classes, on="class_id")
    roster = roster[(roster["start_date"] >= lo) & (roster["start_date"] <= hi)]
    trainees = roster.drop_duplicates(["county", "person_id"]).groupby("county").size()
    ent = roster[roster["mode"].isin(ENTERPRISE_MODES)]
    enterprise = ent.drop_duplicates(["county", "person_id"]).groupby("county").size()
    certs = views.certificates[["person_id", "level", "occurred_at"]].copy()
    certs["issued_on"] = certs["occurred_at"].str.slice(0, 10)
    certs = certs[(certs["issued_on"] >= lo) & (certs["issued_on"] <= hi)]
    certs = certs.join(views.persons[["county"]], on="person_id")
    certificates = certs.groupby("county").size()
    high = certs[certs["level"] <= 3].groupby("county").size()
    out = pd.concat([trainees.rename("trainees"), enterprise.rename("enterprise_trainees"),
                     certificates.rename("certificates"), high.rename("high_skill")], axis=1)
    return out.fillna(0).astype("int64")


def completion(views: Views, targets: Targets, end: str | None = None) -> pd.DataFrame:
    """Targets, actuals and rates per county, ranked by overall completion (1 = best).

    With ``end``, everything (counts, rates, overall rate, rank) is as of that day, so
    a row's overall rate is always the mean of the rates shown beside it.
    """
    act = actuals(views, targets.year, end=end)
    rows = []
    for county, target in targets.counties.items():
        row: dict[str, object] = {"county": county}
        for m in METRICS:
            done = int(act.loc[county, m]) if county in act.index else 0
            row[f"{m}_target"] = target[m]
            row[m] = done
            row[f"{m}_rate"] = round(done / target[m], 4) if target[m] else None
        trained = row["trainees"]
        row["enterprise_share"] = (round(int(row["enterprise_trainees"]) / int(trained), 4)  # type: ignore[arg-type]
                                   if trained else None)
        rates = [row[f"{m}_rate"] for m in RANKED if row[f"{m}_rate"] is not None]
        row["overall_rate"] = round(sum(rates) / len(rates), 4) if rates else None  # type: ignore[arg-type]
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["overall_rate", "county"], ascending=[False, True],
                              na_position="last", kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


@dataclass(frozen=True)
class TargetWarning:
    """A target county the data never names: its row would read 0 % for want of data,
    not of training (often a name where the events carry a region code)."""

    county: str
    known: tuple[str, ...]  # the counties the data does name, sorted

    @property
    def en(self) -> str:
        have = ", ".join(self.known) if self.known else "none (no classes or persons stored yet)"
        return (f"target county {self.county!r} has no classes and no registered persons "
                f"in the data, so its completion reads 0 %; counties in the data: {have}")

    @property
    def zh(self) -> str:
        have = "、".join(self.known) if self.known else "无(尚未存入班级或人员)"
        return (f"计划中的县(区、市)“{self.county}”在数据中没有任何班级或登记人员，"
                f"完成率只能为 0%；数据中的县(区、市)：{have}")

    def __str__(self) -> str:
        return f"warning 警告: {self.en}\n  {self.zh}"


def check_targets(views: Views, targets: Targets) -> list[TargetWarning]:
    """One warning per target county that no class and no person of the data names
    (the counties the plan counts by), in the targets file's order."""
    known = {str(c) for frame in (views.classes, views.persons)
             for c in frame["county"].dropna().unique()}
    listed = tuple(sorted(known))
    return [TargetWarning(county, listed) for county in targets.counties if county not in known]


def dispatch(views: Views, targets: Targets, on: str | None = None,
             period_days: int = 14) -> pd.DataFrame:
    """The biweekly dispatch table (双周调度): progress up to the dispatch day (ranked as
    of that day) plus the last two weeks."""
    end = on or views.as_of.reference_date() or date.today().isoformat()
    start = (date.fromisoformat(end) - timedelta(days=period_days - 1)).isoformat()
    table = completion(views, targets, end=end)
    period = actuals(views, targets.year, start=start, end=end)
    table["trainees_period"] = table["county"].map(period["trainees"]).fillna(0).astype("int64")
    table["certificates_period"] = table["county"].map(
        period["certificates"]).fillna(0).astype("int64")
    table["period_start"], table["period_end"] = start, end
    return table


def write_table(frame: pd.DataFrame, out: str | Path) -> Path:
    """CSV (UTF-8 with BOM, opens in Excel) or XLSX, with bilingual headers."""
    path = Path(out)
    shown = frame.rename(columns={c: f"{HEADERS_ZH.get(c, c)} {c}" for c in frame.columns})
    if path.suffix.lower() == ".xlsx":
        shown.to_excel(path, index=False, sheet_name="双周调度")
    else:
        shown.to_csv(path, index=False, encoding="utf-8-sig")
    return path
