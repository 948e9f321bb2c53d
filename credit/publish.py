"""The public credit list (信用公示): name, credit code, grade, score and main reasons.

Only what a public notice needs leaves the system: no ID numbers, phone
numbers, bank accounts or names of persons. The reason texts are built by the
model from rule codes and counts (never from finding explanations, which can
name trainees), and the columns are chosen here, not copied from the views.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit.model import Rating
from credit.params import GRADE_EN, GRADE_ZH

TYPE_LABEL = {"institution": "培训机构 institution", "agency": "评价机构 evaluation agency"}
MAIN_REASONS = 3


def main_reasons(r: Rating, n: int = MAIN_REASONS) -> str:
    """The reasons that took the most points (and a repair), in Chinese then English."""
    ranked = sorted(r.reasons, key=lambda x: (int(x["points"]), x["factor"]))
    shown = [x for x in ranked if int(x["points"]) < 0][:n]
    shown += [x for x in r.reasons if x["factor"] == "repair"]
    if not shown:
        return "无扣分事项 no deductions"
    return "；".join(f"{x['zh']} ({x['en']})" for x in shown)


def public_frame(ratings: list[Rating], position: int) -> pd.DataFrame:
    """One row per subject, best grade first, with bilingual headers."""
    rows = [{
        "名称 name": r.name or "",
        "统一社会信用代码 credit code": r.credit_code or "",
        "编号 id": r.subject_id,
        "类型 type": TYPE_LABEL[r.subject_type],
        "信用等级 grade": f"{r.grade} {GRADE_ZH[r.grade]} {GRADE_EN[r.grade]}",
        "信用分 score": r.score,
        "主要原因 main reasons": main_reasons(r),
        "评价依据位置 as of position": position,
    } for r in sorted(ratings, key=lambda r: (r.grade, -r.score, r.subject_type, r.subject_id))]
    return pd.DataFrame(rows)


def write_public(ratings: list[Rating], position: int, out: str | Path) -> Path:
    """Write the public list as ``.csv`` (UTF-8 with BOM, opens in Excel) or ``.xlsx``."""
    path = Path(out)
    frame = public_frame(ratings, position)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False, sheet_name="信用公示 credit")
    else:
        raise ValueError(f"--out {out}: write a .csv or .xlsx file")
    return path
