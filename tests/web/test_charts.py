"""The chart library: exact heights, escaped labels, nothing to draw."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction

from web.pages.charts import PLOT_HEIGHT, TOP, bar_chart, num, scale, step_chart

EVIL = '<script>alert("x")</script>&'
NS = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def bars(svg: str) -> list[ET.Element]:
    return [r for r in parsed(svg).iter(f"{NS}rect") if r.get("class") == "bar"]


def test_heights_are_each_values_exact_share_of_the_largest() -> None:
    svg = bar_chart([("离石区", [200_000, 100_000, 50_000]), ("柳林县", [0, 1, 3])],
                    ["allocated", "claimed", "paid"], "funds")
    heights = [r.get("height") for r in bars(svg)]
    assert heights == ["200", "100", "50", "0", "0", "0"]
    ys = [r.get("y") for r in bars(svg)]
    assert ys[0] == str(TOP) and ys[1] == str(TOP + 100) and ys[3] == str(TOP + PLOT_HEIGHT)


def test_a_third_is_written_to_the_hundredth() -> None:
    svg = bar_chart([("a", [3, 1, 2])], ["x", "y", "z"], "t")
    assert [r.get("height") for r in bars(svg)] == ["200", "66.67", "133.33"]
    assert scale(1, 3) == Fraction(200, 3)
    assert scale(Decimal("0.10"), Decimal("0.40")) == 50
    assert num(Fraction(1, 8)) == "0.13" and num(Fraction(5, 2)) == "2.5" and num(7) == "7"


def test_labels_are_the_texts_given_for_each_bar() -> None:
    svg = bar_chart([("a", [150_000])], ["paid"], "t", labels=[["1500.00"]])
    assert bars(svg)[0].find(f"{NS}title").text == "a · paid: 1500.00"  # type: ignore[union-attr]


def test_every_label_is_escaped() -> None:
    svg = bar_chart([(EVIL, [1])], [EVIL], EVIL, labels=[[EVIL]])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert EVIL in ET.tostring(parsed(svg), encoding="unicode").replace("&lt;", "<") \
        .replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')
    line = step_chart([("2024-01-01", 80)], EVIL, top=100, bands=[(0, 60, EVIL)],
                      labels=[EVIL])
    assert "<script>" not in line
    parsed(line)


def test_nothing_to_draw_is_said_not_drawn() -> None:
    for svg in (bar_chart([], ["a"], "empty", empty="无数据"), bar_chart([("a", [1])], [], "x"),
                step_chart([], "empty", top=100, empty="无数据")):
        root = parsed(svg)
        assert root.find(f"{NS}title") is not None
        assert not bars(svg) and "<path" not in svg
    assert "无数据" in bar_chart([], ["a"], "empty", empty="无数据")


def test_zero_everywhere_draws_flat_bars() -> None:
    assert [r.get("height") for r in bars(bar_chart([("a", [0, 0])], ["x", "y"], "t"))] == \
        ["0", "0"]


def test_the_chart_has_a_title_and_scales_by_its_viewbox() -> None:
    svg = bar_chart([("a", [1])], ["x"], "资金 funds")
    root = parsed(svg)
    assert root.find(f"{NS}title").text == "资金 funds"  # type: ignore[union-attr]
    box = re.fullmatch(r"0 0 (\d+) \d+", root.get("viewBox") or "")
    assert box and root.get("width") == box.group(1) and root.get("height") is None
    assert root.get("class") == "chart"


def test_steps_hold_each_value_until_the_next_point_placed_by_day() -> None:
    svg = step_chart([("2024-01-01T10:00:00+08:00", 100), ("2024-01-11", 50),
                      ("2024-01-21", 75)], "score", top=100, width=216)
    path = next(p for p in parsed(svg).iter(f"{NS}path"))
    base = TOP + PLOT_HEIGHT
    # x from 8 to 208: ten days of twenty is the middle (108)
    assert path.get("d") == f"M8 {TOP} H108 V{base - 100} H208 V{base - 150}"
    points = [(c.get("cx"), c.get("cy")) for c in parsed(svg).iter(f"{NS}circle")]
    assert points == [("8", str(TOP)), ("108", str(base - 100)), ("208", str(base - 150))]


def test_grade_bands_lie_behind_the_line_at_their_heights() -> None:
    svg = step_chart([("2024-01-01", 90), ("2024-02-01", 70)], "score", top=100,
                     bands=[(85, 100, "A"), (70, 85, "B"), (0, 70, "C")])
    bands = [r for r in parsed(svg).iter(f"{NS}rect") if r.get("class") == "band"]
    assert [(b.get("y"), b.get("height")) for b in bands] == [
        (str(TOP), "30"), (str(TOP + 30), "30"), (str(TOP + 60), "140")]
    assert svg.index('class="band"') < svg.index('class="line"')


def test_a_fixed_top_scales_rates_and_caps_what_exceeds_it() -> None:
    svg = bar_chart([("a", [Decimal("25.5"), Decimal("100"), Decimal("130")])], ["x", "y", "z"],
                    "rates", top=100)
    assert [r.get("height") for r in bars(svg)] == ["51", "200", "200"]
