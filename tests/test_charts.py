"""The server-side SVG charts: ticks a reader can believe, and text that stays the page's size."""

from __future__ import annotations

import re

from kith.web.charts import bar_chart


def ticks(svg: str) -> list[str]:
    return re.findall(r'<text class="tick" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]+)</text>', svg)


def test_a_chart_of_counts_has_whole_ticks_only() -> None:
    svg = str(bar_chart([("meaningful", 3.0), ("acquaintance", 2.0), ("no referrer", 1.0)], title="t"))
    assert sorted(ticks(svg)) == ["0", "1", "3"]
    assert ticks(str(bar_chart([("a", 1.0)], title="t"))) == ["1", "0"]  # no half of one


def test_a_chart_of_measures_keeps_its_halfway_tick() -> None:
    assert sorted(ticks(str(bar_chart([("a", 3.0), ("b", 0.5)], title="t")))) == ["0", "1.5", "3"]


def test_a_narrow_chart_is_not_blown_up_in_a_wide_card_and_a_wide_one_scrolls_on_a_phone() -> None:
    assert '<svg class="chart narrow"' in str(bar_chart([("a", 1.0)], title="t"))
    wide = str(bar_chart([("a", 1.0)], title="t", width=900))
    assert '<svg class="chart wide"' in wide and 'tabindex="0"' in wide
