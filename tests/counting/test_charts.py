"""The SVG bar charts: labelled bars, one pattern each, lengths in proportion, text escaped."""

from __future__ import annotations

import re
from fractions import Fraction

from urne.counting.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, bar_chart


def test_each_bar_has_its_label_value_and_pattern():
    svg = bar_chart("v", "Voix", [Bar("A", 30, "30 (75 %)"), Bar("B", 10, "10 (25 %)")])
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="v-title">Voix</title>' in svg
    assert ">A</text>" in svg and ">30 (75 %)</text>" in svg
    assert 'fill="url(#v-p0)"' in svg and 'fill="url(#v-p1)"' in svg
    assert "style=" not in svg  # the CSP forbids inline styles
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)]
    # The longest bar fills the area; the other is a third of it (10 / 30).
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert widths == [area, round(area / 3, 1)]


def test_a_maximum_sets_the_full_bar():
    svg = bar_chart("t", "Participation", [Bar("Dijon", Fraction(1, 4), "25 %")], maximum=1)
    (width,) = re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)
    assert float(width) == (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / 4


def test_labels_are_escaped():
    svg = bar_chart("x", "<b>", [Bar('<script>alert("x")</script>', 1, "1 & 2")])
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "1 &amp; 2" in svg


def test_no_votes_draws_empty_bars():
    svg = bar_chart("z", "Voix", [Bar("A", 0, "0"), Bar("B", 0, "0")])
    assert re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg) == ["0.0", "0.0"]
