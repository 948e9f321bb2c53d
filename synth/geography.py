"""Where a synthetic city lies: a real prefecture's county-level divisions, drawn per seed.

A city is one of several prefectures of Shanxi and Guangdong (the provinces of the
seed reports), each with its counties' real 6-digit region codes, county-seat
coordinates and 2020 census weights (万人). A seed keeps all of a prefecture's
counties or only some of them (a city's programme may cover part of it), and
jitters their weights, so the number, codes and spread of counties differ between
cities. Region codes are the first six digits of residents' ID numbers, and the
generator uses them as the ``county`` field everywhere so ID numbers, persons,
classes, claims and budgets join on one value.
"""

from __future__ import annotations

import math
import random
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


@dataclass(frozen=True, slots=True)
class Region:
    """A prefecture: province, city name, landline area code, bank branch prefix, counties."""

    province: str
    city: str
    area_code: str
    bank_prefix: str
    counties: tuple[County, ...]


_ROADS = ("人民路", "解放路", "建设路", "新华街", "文化路", "迎宾大道", "府前街", "中山路")

REGIONS: tuple[Region, ...] = (
    Region("山西", "吕梁市", "0358", "1405", (
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
    )),
    Region("山西", "临汾市", "0357", "1405", (
        County("141002", "尧都区", 36.0803, 111.5790, 90, 0.70, ("鼓楼南大街", "五一路", "滨河路")),
        County("141021", "曲沃县", 35.6412, 111.4753, 23, 0.40, ("晋都路", "乐昌街")),
        County("141022", "翼城县", 35.7388, 111.7181, 29, 0.35, ("唐兴路", "府前路")),
        County("141023", "襄汾县", 35.8761, 111.4420, 41, 0.30, ("新城大街", "邓庄路")),
        County("141024", "洪洞县", 36.2541, 111.6749, 70, 0.35, ("大槐树路", "玉峰街")),
        County("141025", "古县", 36.2666, 111.9204, 8, 0.30, ("岳阳路", "七一街")),
        County("141026", "安泽县", 36.1479, 112.2503, 8, 0.32, ("府城街", "沁河路")),
        County("141027", "浮山县", 35.9685, 111.8480, 11, 0.28, ("天坛路", "北王路")),
        County("141028", "吉县", 36.0987, 110.6815, 9, 0.30, ("文化路", "壶口大道")),
        County("141029", "乡宁县", 35.9706, 110.8471, 22, 0.33, ("昌宁路", "鄂河街")),
        County("141030", "大宁县", 36.4652, 110.7525, 6, 0.30, ("昕水路", "府前街")),
        County("141031", "隰县", 36.6929, 110.9409, 9, 0.28, ("龙泉路", "午城街")),
        County("141032", "永和县", 36.7600, 110.6320, 5, 0.28, ("芝河路", "府前街")),
        County("141033", "蒲县", 36.4117, 111.0965, 9, 0.30, ("东岳路", "柏山街")),
        County("141034", "汾西县", 36.6533, 111.5630, 11, 0.28, ("永安路", "团柏街")),
        County("141081", "侯马市", 35.6190, 111.3721, 24, 0.65, ("新田路", "平阳北街")),
        County("141082", "霍州市", 36.5687, 111.7552, 27, 0.45, ("开元街", "鼓楼西街")),
    )),
    Region("山西", "长治市", "0355", "1405", (
        County("140403", "潞州区", 36.2032, 113.1230, 90, 0.80, ("英雄中路", "太行东街", "紫金街")),
        County("140404", "上党区", 36.0530, 113.0513, 32, 0.35, ("府前街", "上党大道")),
        County("140405", "屯留区", 36.3157, 112.8920, 25, 0.35, ("麟绛路", "康庄街")),
        County("140406", "潞城区", 36.3343, 113.2289, 23, 0.45, ("潞华路", "漳泽路")),
        County("140423", "襄垣县", 36.5351, 113.0517, 25, 0.40, ("太行路", "古韩街")),
        County("140425", "平顺县", 36.2001, 113.4359, 14, 0.25, ("青羊路", "石城街")),
        County("140426", "黎城县", 36.5024, 113.3874, 15, 0.30, ("黎侯路", "东阳关街")),
        County("140427", "壶关县", 36.1154, 113.2071, 26, 0.30, ("太行路", "常平街")),
        County("140428", "长子县", 36.1219, 112.8777, 33, 0.32, ("丹朱路", "鹿谷街")),
        County("140429", "武乡县", 36.8373, 112.8640, 17, 0.30, ("八路军大街", "丰州路")),
        County("140430", "沁县", 36.7561, 112.6989, 14, 0.28, ("滨湖路", "南涅水街")),
        County("140431", "沁源县", 36.5000, 112.3379, 14, 0.30, ("沁河路", "太岳街")),
    )),
    Region("广东", "清远市", "0763", "4400", (
        County("441802", "清城区", 23.6978, 113.0628, 80, 0.85, ("北江路", "先锋路", "人民一路")),
        County("441803", "清新区", 23.7347, 112.9846, 45, 0.45, ("太和路", "桂花路")),
        County("441821", "佛冈县", 23.8792, 113.5323, 32, 0.45, ("建设路", "石角街")),
        County("441823", "阳山县", 24.4652, 112.6413, 38, 0.30, ("东城路", "青莲街")),
        County("441825", "连山壮族瑶族自治县", 24.5697, 112.0931, 10, 0.30, ("吉田路", "永和街")),
        County("441826", "连南瑶族自治县", 24.7260, 112.2873, 14, 0.30, ("顺德路", "三江街")),
        County("441881", "英德市", 24.1859, 113.4030, 94, 0.40, ("和平路", "英州大道", "城南街")),
        County("441882", "连州市", 24.7803, 112.3771, 38, 0.40, ("中山南路", "湟川大道")),
    )),
    Region("广东", "韶关市", "0751", "4400", (
        County("440203", "武江区", 24.7926, 113.5878, 41, 0.85, ("工业西路", "沐溪大道")),
        County("440204", "浈江区", 24.8046, 113.6110, 42, 0.85, ("解放路", "风度北路", "东堤路")),
        County("440205", "曲江区", 24.6820, 113.6047, 30, 0.60, ("韶钢大道", "马坝街")),
        County("440222", "始兴县", 24.9524, 114.0616, 20, 0.40, ("墨江路", "太平街")),
        County("440224", "仁化县", 25.0859, 113.7497, 20, 0.40, ("丹霞大道", "建设路")),
        County("440229", "翁源县", 24.3503, 114.1303, 32, 0.35, ("龙仙路", "建设街")),
        County("440232", "乳源瑶族自治县", 24.7762, 113.2758, 19, 0.40, ("鹰峰路", "民族街")),
        County("440233", "新丰县", 24.0596, 114.2069, 21, 0.35, ("人民路", "丰城街")),
        County("440281", "乐昌市", 25.1304, 113.3470, 40, 0.40, ("人民北路", "公主街")),
        County("440282", "南雄市", 25.1177, 114.3119, 33, 0.40, ("雄州大道", "永康路")),
    )),
)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def spread_km(counties: tuple[County, ...]) -> float:
    """The longest distance between two county seats."""
    return max((distance_km(a.lat, a.lon, b.lat, b.lon) for a in counties for b in counties),
               default=0.0)


FAR_KM = 60.0
"""Two venues at least this far apart: impossible to reach within half an hour."""


def draw_layout(rng: random.Random) -> tuple[Region, tuple[County, ...]]:
    """A prefecture and the counties the city's programme covers, with jittered weights.

    At least five counties, and always two seats ``FAR_KM`` apart, so every pattern that
    needs distant venues has room in any city.
    """
    region = REGIONS[rng.randrange(len(REGIONS))]
    everything = list(region.counties)
    while True:
        keep = rng.randint(min(5, len(everything)), len(everything))
        chosen = sorted(rng.sample(everything, keep), key=lambda c: c.code)
        if spread_km(tuple(chosen)) >= FAR_KM + 5:
            break
    counties = tuple(County(c.code, c.name, c.lat, c.lon,
                            round(c.weight * rng.uniform(0.6, 1.5), 1), c.urban,
                            c.roads or _ROADS) for c in chosen)
    return region, counties
