"""Occupations trained in the city: codes of the 职业分类大典 style, with how popular each is.

``weight`` drives how often institutions are licensed for an occupation and open
classes in it (care, cooking and electrical work dominate Shanxi's drive);
``female`` is the share of women among its trainees; ``top`` the highest level
taught (1 = 高级技师); ``ease`` shifts assessment scores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Occupation:
    """One occupation of the catalogue."""

    code: str
    name: str
    weight: float
    female: float
    top: int
    ease: float


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("4-10-01-05", "养老护理员", 14, 0.80, 2, 2.0),
    Occupation("4-03-02-01", "中式烹调师", 12, 0.35, 1, 1.0),
    Occupation("4-03-02-02", "中式面点师", 9, 0.60, 2, 1.5),
    Occupation("4-10-01-06", "家政服务员", 10, 0.90, 3, 3.0),
    Occupation("4-10-01-02", "育婴员", 8, 0.95, 3, 2.0),
    Occupation("4-10-01-03", "保育师", 5, 0.95, 3, 1.0),
    Occupation("6-31-01-03", "电工", 11, 0.05, 1, -2.0),
    Occupation("6-18-02-04", "焊工", 8, 0.05, 1, -3.0),
    Occupation("4-01-02-02", "电子商务师", 6, 0.55, 3, 0.0),
    Occupation("4-12-01-01", "汽车维修工", 5, 0.05, 2, -1.0),
    Occupation("4-10-03-01", "美容师", 4, 0.90, 3, 1.0),
    Occupation("4-10-03-02", "美发师", 4, 0.60, 3, 1.0),
    Occupation("6-29-01-01", "砌筑工", 4, 0.05, 3, 0.0),
    Occupation("6-29-01-03", "钢筋工", 3, 0.05, 3, 0.0),
    Occupation("6-29-01-05", "架子工", 3, 0.02, 3, -1.0),
    Occupation("4-07-05-01", "保安员", 4, 0.10, 3, 3.0),
    Occupation("4-14-02-02", "健康管理师", 3, 0.75, 2, -2.0),
    Occupation("4-03-02-04", "西式面点师", 3, 0.70, 3, 0.0),
    Occupation("4-03-02-07", "茶艺师", 2, 0.85, 3, 2.0),
    Occupation("5-01-02-01", "农作物植保员", 3, 0.40, 3, 1.0),
    Occupation("5-03-01-01", "家畜繁殖员", 2, 0.30, 3, 0.0),
    Occupation("6-02-01-05", "采煤机司机", 3, 0.00, 2, -2.0),
    Occupation("6-31-01-09", "煤矿井下电钳工", 3, 0.00, 2, -3.0),
    Occupation("4-04-05-03", "网络与信息安全管理员", 2, 0.30, 2, -3.0),
    Occupation("6-05-01-01", "缝纫工", 2, 0.85, 3, 2.0),
)
CODES = tuple(o.code for o in OCCUPATIONS)
INDEX = {o.code: i for i, o in enumerate(OCCUPATIONS)}
WEIGHTS = tuple(o.weight for o in OCCUPATIONS)
POPULAR = tuple(i for i, o in enumerate(OCCUPATIONS) if o.weight >= 8)
"""Occupations every large institution teaches; peer comparisons use these."""
