"""The figures page: each reported figure beside what the atlas holds, with the quote and why they differ."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
import sys

import pytest

from atlas.pipeline import build, load_atlas
from atlas.render.reconcile import NO_SUBSET, reconcile, reconcile_all
from tests.conftest import QINGDAO_CONTENT, ROOT

FIGURES = """figures:
  - id: parks-total
    label: 挂牌园区总数
    value: 2
    unit: 个
    source: test-daily
    quote: 挂牌园区总数达到2个
    compare:
      measure: parks
  - id: parks-2022
    label: 2022年挂牌园区
    value: 1
    unit: 个
    source: test-daily
    quote: 2022年挂牌1个
    compare:
      measure: parks
      listed_in: '2022'
      note: 按园区的挂牌时间计数。
  - id: park-projects
    label: 园区在建及投产项目
    value: 10
    unit: 个
    source: test-daily
    quote: 园区项目10个
    compare:
      measure: projects
      scope: parks
      status: [in_operation, signed]
  - id: park-investment
    label: 园区项目总投资
    value: 900
    unit: 亿元
    source: test-daily
    quote: 总投资900亿元
    compare:
      measure: investment
      scope: parks
  - id: big-projects
    label: 过50亿元项目
    value: 3
    unit: 个
    source: test-daily
    quote: 过50亿元项目3个
    compare:
      measure: projects
      over_yi: 50
  - id: visits
    label: 走访企业
    value: 178
    unit: 家
    source: test-daily
    quote: 走访企业178家
"""


@pytest.fixture
def figures_content(mini_content, write_entry):
    write_entry("figures.yaml", FIGURES)
    return mini_content


@pytest.fixture
def rows(figures_content):
    return {row.figure.id: row for row in reconcile_all(load_atlas(figures_content))}


def test_parks_are_counted_from_entries(rows):
    assert (rows["parks-total"].holds, rows["parks-total"].count) == ("2 个园区", 2)
    listed = rows["parks-2022"]
    assert [m.slug for m in listed.members] == ["display-park"]  # the unplaced park gives no listing year
    assert listed.subset == "图集中挂牌于2022年的园区"
    assert listed.note == "按园区的挂牌时间计数。"


def test_projects_in_parks_filtered_by_status(rows):
    row = rows["park-projects"]
    assert [m.slug for m in row.members] == ["backlight", "panel-plant"]
    assert row.holds == "2 个项目"
    assert row.subset == "图集园区内、状态为签约、投产/运营的项目"  # vocabulary order, not the YAML's


def test_investment_total_never_counts_unknown_amounts(rows):
    row = rows["park-investment"]
    assert row.investment.disclosed == 1 and row.investment.undisclosed == 1
    assert row.holds == "1 个项目披露投资，合计 100 亿元（另 1 个未披露，不计入）"


def test_threshold_counts_only_amounts_known_to_exceed_it(rows):
    row = rows["big-projects"]
    # panel-plant 100 exceeds 50 and site-project 3.2 does not; backlight ("50 亿元以上"), fund and
    # photo-caption may or may not: they are counted apart, never guessed
    assert [m.slug for m in row.members] == ["panel-plant"]
    assert row.holds == "1 个项目；另有 3 个同类项目未披露投资，无法判断是否超过 50 亿元"


def test_figure_without_a_comparison_says_so(rows):
    row = rows["visits"]
    assert not row.comparable and row.holds == NO_SUBSET == "图集没有可比的子集"
    assert row.count is None and row.note


def test_page_sets_each_figure_beside_the_atlas(figures_content):
    page = build(figures_content, None, mode="preview").files["figures/index.html"].decode()
    ids = re.findall(r'<tr id="figure-([a-z0-9-]+)">', page)
    assert ids == ["parks-total", "parks-2022", "park-projects", "park-investment", "big-projects", "visits"]
    row = page.split('id="figure-park-investment"')[1].split("</tr>")[0]
    assert "900 亿元" in row  # the source's figure
    assert "1 个项目披露投资，合计 100 亿元（另 1 个未披露，不计入）" in row  # the atlas's, with its coverage
    assert "<q" in row and "总投资900亿元" in row and 'href="../sources/#test-daily"' in row
    assert 'href="../projects/panel-plant/"' in row  # the counted entries are listed and linked
    visits = page.split('id="figure-visits"')[1].split("</tr>")[0]
    assert NO_SUBSET in visits and "走访企业178家" in visits
    assert "其中 5 项在图集中有可比的子集" in page


def test_home_headline_links_still_land_on_their_row(mini_content):
    files = build(mini_content, None, mode="preview").files
    home = files["index.html"].decode()
    figures = files["figures/index.html"].decode()
    for anchor in re.findall(r'href="figures/#(figure-[a-z0-9-]+)"', home):
        assert f'id="{anchor}"' in figures


BAD_COMPARE = [
    ("    compare:\n      measure: count\n",
     "figures[1].compare.measure: 'count' is not one of projects, investment, parks, chains, none"),
    ("    compare:\n      measure: projects\n      listed_in: '2023'\n",
     "figures[1].compare.listed_in: 'listed_in' applies only to measure parks, not 'projects'; "
     "remove it or change 'measure'"),
    ("    compare:\n      measure: parks\n      scope: parks\n",
     "figures[1].compare.scope: 'scope' applies only to measure projects or investment, not 'parks'; "
     "remove it or change 'measure'"),
    ("    compare:\n      measure: projects\n      status: [builing]\n",
     "figures[1].compare.status[1]: 'builing' is not one of planning, signed, landed, permitted, started, "
     "under_construction, structure_complete, completed, in_operation, unspecified"),
    ("    compare:\n      measure: projects\n      over: 50\n",
     "figures[1].compare.over: unknown field (did you mean 'over_yi'?); allowed here: measure, scope, status, "
     "over_yi, listed_in, note, note_en"),
]


@pytest.mark.parametrize(("compare", "message"), BAD_COMPARE)
def test_bad_compare_is_reported_with_file_line_and_field(compare, message, mini_content, write_entry):
    head = "figures:\n  - id: x\n    label: x\n    value: 1\n    source: test-daily\n    quote: q\n"
    write_entry("figures.yaml", head + compare)
    result = subprocess.run([sys.executable, "build.py", "check", "--content", str(mini_content)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    line = re.search(rf"^content/figures\.yaml:(\d+): {re.escape(message)}$", result.stderr, re.M)
    assert line, result.stderr
    assert 7 <= int(line.group(1)) <= 10  # the line of the offending key (or of the compare block)


def test_real_content_reconciles_the_parks_figures():
    atlas = load_atlas(QINGDAO_CONTENT)
    figures = {f.id: f for f in atlas.content.figures}
    building = {"started", "under_construction", "structure_complete"}
    in_parks = [p for p in atlas.projects if p.park in atlas.park_by_slug and p.status in building]
    count = reconcile(atlas, figures["parks-projects-under-construction"])
    assert count.figure.value == 76 and count.count == len(in_parks) and count.comparable
    money = reconcile(atlas, figures["parks-projects-under-construction-investment"])
    disclosed = [p.investment_yi for p in in_parks if p.investment_yi is not None]
    assert (money.investment.disclosed, money.investment.total_yi) == (len(disclosed), sum(disclosed))
    assert money.investment.undisclosed == len(in_parks) - len(disclosed)
    assert reconcile(atlas, figures["listed-parks-total"]).count == len(atlas.parks)
    assert not reconcile(atlas, figures["chain-leaders"]).comparable


def test_real_figures_page_shows_every_figure_with_its_quote():
    atlas = load_atlas(QINGDAO_CONTENT)
    page = htmllib.unescape(build(QINGDAO_CONTENT, None, mode="offline").files["figures/index.html"].decode())
    for figure in atlas.content.figures:
        row = page.split(f'id="figure-{figure.id}"')[1].split("</tr>")[0]
        assert figure.ref.quote in row, figure.id
    assert "原文称占45%" in page  # a figure's own note is shown with it
