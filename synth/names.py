"""Chinese names of people and organisations, with realistic frequencies.

Surname weights follow Shanxi's distribution (王, 李, 张, 刘 and 郭 lead), and the
given-name pool is deliberately small and skewed, so common names such as 王伟,
李娜 or 张静 really recur: namesakes are part of a real population and must not be
taken for duplicate identities.
"""

from __future__ import annotations

import random
from itertools import accumulate

_SURNAMES = (
    ("王", 90), ("李", 75), ("张", 70), ("刘", 60), ("郭", 30), ("杨", 28), ("赵", 26),
    ("高", 22), ("武", 20), ("任", 16), ("梁", 15), ("冯", 14), ("田", 13), ("孙", 13),
    ("韩", 13), ("贾", 12), ("薛", 11), ("马", 11), ("陈", 11), ("段", 9), ("郝", 9),
    ("白", 9), ("宋", 8), ("吴", 8), ("胡", 8), ("曹", 8), ("程", 7), ("闫", 7), ("史", 7),
    ("牛", 6), ("霍", 6), ("温", 6), ("阎", 5), ("乔", 5), ("秦", 5), ("贺", 5), ("卫", 5),
    ("康", 5), ("樊", 4), ("崔", 4), ("成", 4), ("常", 4), ("申", 4), ("裴", 3), ("苏", 3),
    ("董", 3), ("岳", 3), ("侯", 3), ("吕", 3), ("周", 3), ("徐", 3), ("孟", 3), ("范", 3),
    ("燕", 2), ("雷", 2), ("柴", 2), ("麻", 2), ("靳", 2), ("尹", 2), ("师", 2),
)
_MALE_SINGLE = (
    ("伟", 30), ("强", 20), ("磊", 20), ("军", 18), ("勇", 16), ("杰", 14), ("涛", 14),
    ("斌", 12), ("超", 12), ("明", 10), ("刚", 10), ("平", 10), ("辉", 10), ("鹏", 10),
    ("华", 8), ("飞", 8), ("鑫", 8), ("波", 8), ("宇", 7), ("浩", 7), ("凯", 6), ("亮", 6),
    ("俊", 5), ("峰", 5), ("龙", 5), ("林", 4), ("彬", 3), ("帅", 3), ("旭", 3), ("毅", 3),
)
_FEMALE_SINGLE = (
    ("娜", 24), ("静", 24), ("敏", 18), ("丽", 18), ("艳", 18), ("芳", 18), ("霞", 14),
    ("娟", 14), ("燕", 12), ("玲", 10), ("婷", 10), ("洁", 8), ("琳", 8), ("慧", 8),
    ("梅", 8), ("英", 6), ("兰", 6), ("红", 6), ("萍", 6), ("雪", 5), ("倩", 5), ("颖", 5),
)
_MALE_FIRST = "建志文海俊晓永国小宏振晋明家子浩天嘉鹏泽"
_MALE_SECOND = "伟军强华明杰斌涛峰林勇平刚飞波宇辉鑫龙亮东生荣轩豪博瑞"
_FEMALE_FIRST = "晓丽美秀小雅玉海春佳雪欣慧文思梦艳淑彩"
_FEMALE_SECOND = "娟丽敏芳霞燕玲婷洁琳慧梅英兰红萍雪倩颖华琴莉娜静怡妍"

_ORG_WORDS = (
    "鑫源", "华夏", "博文", "众诚", "金达", "宏达", "恒信", "德润", "兴业", "晋善", "汇通", "泰和",
    "长青", "明德", "吕梁山", "三川", "北川", "龙凤", "凤山", "华晋", "诚信", "卓越", "启航",
    "永安", "锦程", "天宁", "盛世", "嘉禾", "聚源", "弘毅", "新程", "德才", "宏图", "瑞丰",
)
_INDUSTRIES = (
    ("煤业", 6), ("焦化", 4), ("建筑工程", 6), ("物业服务", 5), ("餐饮管理", 6), ("酒业", 3),
    ("家政服务", 5), ("养老服务", 4), ("商贸", 5), ("农业科技", 4), ("物流", 4), ("机械制造", 3),
    ("汽车服务", 3), ("电力工程", 3), ("食品", 3), ("服饰", 2), ("电子商务", 3), ("保安服务", 3),
)


def _table(pairs: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], list[float]]:
    return tuple(p[0] for p in pairs), list(accumulate(p[1] for p in pairs))


_SURNAME_T = _table(_SURNAMES)
_MALE_T = _table(_MALE_SINGLE)
_FEMALE_T = _table(_FEMALE_SINGLE)
_INDUSTRY_T = _table(_INDUSTRIES)


def _pick(rng: random.Random, table: tuple[tuple[str, ...], list[float]]) -> str:
    return rng.choices(table[0], cum_weights=table[1])[0]


def person_name(rng: random.Random, gender: str, birth_year: int) -> str:
    """A plausible full name; older people more often have a one-character given name."""
    surname = _pick(rng, _SURNAME_T)
    single = rng.random() < (0.45 if birth_year < 1980 else 0.28)
    if gender == "M":
        if single:
            return surname + _pick(rng, _MALE_T)
        return surname + rng.choice(_MALE_FIRST) + rng.choice(_MALE_SECOND)
    if single:
        return surname + _pick(rng, _FEMALE_T)
    return surname + rng.choice(_FEMALE_FIRST) + rng.choice(_FEMALE_SECOND)


def org_word(rng: random.Random) -> str:
    """A trade-name word (字号) for an organisation."""
    return rng.choice(_ORG_WORDS)


def industry(rng: random.Random) -> str:
    """An industry suffix for an employer's name."""
    return _pick(rng, _INDUSTRY_T)
