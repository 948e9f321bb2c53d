"""吕梁市: its 13 county-level divisions, their real region codes and county-seat coordinates.

Region codes are the first six digits of residents' ID numbers, and the generator
uses them as the ``county`` field everywhere so ID numbers, persons, classes, claims
and budgets join on one value. Weights follow the 2020 census populations (万人).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class County:
    """One county: its code, name, seat coordinates, population weight and urban share."""

    code: str
    name: str
    lat: float
    lon: float
    weight: float
    urban: float
    roads: tuple[str, ...]


CITY = "吕梁市"
COUNTIES: tuple[County, ...] = (
    County("141102", "离石区", 37.5177, 111.1431, 40, 0.62,
           ("龙凤南路", "永宁中路", "滨河北西路", "北川河东路")),
    County("141121", "文水县", 37.4384, 112.0283, 37, 0.30, ("则天南路", "凤城路", "胡兰大街")),
    County("141122", "交城县", 37.5513, 112.1557, 21, 0.36, ("卦山路", "天宁大街", "文化路")),
    County("141123", "兴县", 38.4624, 111.1274, 26, 0.24, ("晋绥路", "蔚汾大街", "紫荆山路")),
    County("141124", "临县", 37.9509, 110.9924, 54, 0.20, ("湫水大街", "红旗路", "安业路")),
    County("141125", "柳林县", 37.4294, 110.8893, 31, 0.33, ("青龙街", "清河北路", "东风路")),
    County("141126", "石楼县", 36.9972, 110.8349, 11, 0.22, ("龙交大街", "屈产路")),
    County("141127", "岚县", 38.2787, 111.6716, 16, 0.25, ("岚城大街", "东村路")),
    County("141128", "方山县", 37.8945, 111.2440, 11, 0.23, ("北武当路", "圪洞街")),
    County("141129", "中阳县", 37.3572, 111.1792, 14, 0.35, ("宁乡大街", "凤山路")),
    County("141130", "交口县", 36.9822, 111.1811, 9, 0.28, ("温泉路", "水头街")),
    County("141181", "孝义市", 37.1443, 111.7785, 52, 0.55,
           ("府前街", "崇文大街", "胜溪大道", "振兴街")),
    County("141182", "汾阳市", 37.2653, 111.7880, 42, 0.45,
           ("胜利街", "汾酒大道", "府前路", "英雄路")),
)
CODES = tuple(c.code for c in COUNTIES)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def county_distance_km(a: int, b: int) -> float:
    """Distance between the seats of counties ``a`` and ``b`` (indexes into COUNTIES)."""
    ca, cb = COUNTIES[a], COUNTIES[b]
    return distance_km(ca.lat, ca.lon, cb.lat, cb.lon)
