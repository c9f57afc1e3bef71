"""Build-time SVG charts: numbers from the model, honest about unknowns, accessible, the same bytes every build."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from atlas.model import STATUSES
from atlas.pipeline import load_atlas, render
from atlas.render.charts import (
    UNKNOWN_DISTRICT,
    WIDTH,
    Bar,
    bar_chart,
    investment_by_chain,
    projects_by_district,
    projects_by_status,
    text_width,
)
from atlas.render.urls import UrlMode
from atlas.render.views import district_of
from atlas.resolve import investment_total, status_counts

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def atlas(mini_content):
    return load_atlas(mini_content)


@pytest.fixture
def pages(atlas):
    return {name: data.decode() for name, data in render(atlas, UrlMode("preview")).items() if name.endswith(".html")}


def svgs(html: str) -> list[ET.Element]:
    """Every inline SVG of a page, parsed as XML (so a malformed chart fails here)."""
    return [ET.fromstring(s.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
            for s in re.findall(r"<svg .*?</svg>", html, re.S)]


def test_bars_are_proportional_and_unknown_has_no_bar():
    chart = bar_chart("c", "t", ("名称", "值"), [
        Bar("甲", 100, "100 亿元", "group-emerging"), Bar("乙", 50, "50 亿元", "group-service"),
        Bar("丙", None, "未披露", "group-unstated")])
    first, second, unknown = chart.rows
    assert float(first.bar_width) == pytest.approx(2 * float(second.bar_width), abs=0.1)
    assert unknown.bar_width is None and unknown.value_x == "0"
    assert chart.height == 4 * 2 + 3 * 44
    assert "丙 未披露" in chart.description and "甲 100 亿元" in chart.description


def test_value_labels_stay_inside_the_chart():
    chart = bar_chart("c", "t", ("名称", "值"), [Bar("甲", 3942.1, "3,942.1 亿元（7/12 个项目披露）", "x")])
    row = chart.rows[0]
    assert float(row.value_x) + text_width(row.bar.value_label) <= WIDTH


def test_investment_by_chain_totals_only_disclosed_amounts(atlas):
    chart = investment_by_chain(atlas)
    rows = {row.bar.label: row for row in chart.rows}
    display = rows["新型显示产业链"].bar
    total = investment_total(atlas.projects_of_chain["display"])
    assert display.value == total.total_yi == 103.2
    assert display.value_label == "103.2 亿元（2/3 个项目披露）"
    assert display.tone == "group-emerging"
    finance = rows["现代金融产业链"]  # its one project has no amount: 未披露, no bar, never 0
    assert finance.bar.value is None and finance.bar_width is None
    assert finance.bar.value_label == "未披露（1 个项目）"
    assert finance.bar.tone == "group-unstated"
    assert rows["未说明产业链"].bar.cells == ("—", "1", "0", "未披露")  # photo-caption has no chain
    assert list(rows)[0] == "新型显示产业链"  # largest disclosed first, undisclosed after
    assert "5 个项目中 2 个披露投资，合计 103.2 亿元；3 个未披露" in chart.note
    assert ("group-emerging", "新兴产业") in chart.key


def test_projects_by_status_follow_the_vocabulary_and_say_the_stage(atlas):
    chart = projects_by_status(atlas.projects)
    counts = status_counts(atlas.projects)
    assert [row.bar.label for row in chart.rows] == [STATUSES[s][0] for s in STATUSES if s in counts]
    assert [row.bar.value for row in chart.rows] == list(counts.values())
    signed = next(row.bar for row in chart.rows if row.bar.label == "签约")
    assert (signed.tone, signed.cells) == ("stage-early", ("前期", "2"))


def test_projects_by_district_puts_unknown_last(atlas):
    chart = projects_by_district(atlas, atlas.projects)
    labels = [row.bar.label for row in chart.rows]
    assert labels[-1] == UNKNOWN_DISTRICT
    expected = {}
    for project in atlas.projects:
        key = district_of(atlas, project) or UNKNOWN_DISTRICT
        expected[key] = expected.get(key, 0) + 1
    assert {row.bar.label: row.bar.value for row in chart.rows} == expected
    laoshan = next(row.bar for row in chart.rows if row.bar.label == "崂山区")
    assert laoshan.cells == ("2", "100 亿元（1 个项目披露）")  # panel-plant 100 + backlight lower bound only


def test_home_page_charts_are_accessible_static_svg(pages):
    home = pages["index.html"]
    drawn = svgs(home)
    assert len(drawn) == 3
    for svg in drawn:
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.find(f".//{SVG}script") is None
        assert not [name for element in svg.iter() for name in element.attrib if name.startswith("on")]
    # each chart's numbers also stand in a table, with a caption and scoped headers
    for chart_id in ("chart-chain-investment", "chart-status", "chart-district"):
        block = home.split(f'id="{chart_id}"')[1].split("</section>")[0]
        assert "<table" in block and "<caption>" in block and 'scope="row"' in block
    assert "103.2 亿元" in home and "未披露（1 个项目）" in home


def test_chart_bars_carry_group_and_stage_classes(pages):
    home = pages["index.html"]
    assert re.search(r"<g class=\"chart-row group-emerging\">\s*<text[^>]*>新型显示产业链</text>", home)
    assert re.search(r'<g class="chart-row stage-done">\s*<text[^>]*>投产/运营</text>', home)


def test_chain_and_park_pages_chart_only_when_there_is_something_to_compare(pages):
    assert len(svgs(pages["chains/display/index.html"])) == 2  # three projects: status and district
    assert svgs(pages["chains/finance/index.html"]) == []  # one project: no chart
    assert len(svgs(pages["parks/display-park/index.html"])) == 1
    assert svgs(pages["parks/unplaced-park/index.html"]) == []


def test_charts_are_byte_identical_across_builds(atlas):
    first = render(atlas, UrlMode("offline"))["index.html"]
    second = render(load_atlas(atlas.content.root), UrlMode("offline"))["index.html"]
    assert first == second


@pytest.fixture
def offline_site(atlas, tmp_path):
    folder = tmp_path / "offline"
    for name, data in render(atlas, UrlMode("offline")).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_charts_draw_from_file_on_a_desktop_a_phone_and_in_print(offline_site, recorded_page, width):
    recorded = recorded_page(viewport={"width": width, "height": 900})
    page = recorded.page
    page.goto((offline_site / "index.html").as_uri())
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        boxes = page.eval_on_selector_all(".chart-svg", "svgs => svgs.map(s => s.getBoundingClientRect().toJSON())")
        assert len(boxes) == 3
        for box in boxes:
            assert box["width"] > 200 and box["height"] > 60, (media, box)
            if media == "screen":  # paper is wider than a phone; print only has to keep the chart
                assert box["x"] + box["width"] <= width
        # a drawn bar for each known amount, none for 未披露
        bars = page.eval_on_selector_all("#chart-chain-investment rect.chart-bar",
                                         "rects => rects.map(r => r.getBBox().width)")
        assert len(bars) == 1 and bars[0] > 100  # only the display chain disclosed an amount
    page.emulate_media(media="screen")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows the phone
    fill = page.eval_on_selector("#chart-chain-investment rect.chart-bar", "r => getComputedStyle(r).fill")
    emerging = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--emerging').trim()")
    assert fill == "rgb(29, 78, 216)" and emerging == "#1d4ed8"  # the group's hue, as on badges and markers
    assert recorded.errors == [] and recorded.foreign_requests == []
