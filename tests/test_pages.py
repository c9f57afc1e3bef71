"""The pages of the mini atlas: every entry has its page, and each page says what the entries say."""

from __future__ import annotations

import re

import pytest

from atlas.pipeline import build


@pytest.fixture
def site(mini_content):
    return {name: data.decode("utf-8") for name, data in build(mini_content, None, mode="preview").files.items()
            if name.endswith(".html")}


def test_every_entry_has_its_page(site):
    for path in ("index.html", "chains/index.html", "chains/display/index.html", "chains/finance/index.html",
                 "parks/index.html", "parks/display-park/index.html", "parks/unplaced-park/index.html",
                 "projects/index.html", "projects/panel-plant/index.html", "projects/backlight/index.html",
                 "projects/fund/index.html", "sources/index.html", "figures/index.html", "about/index.html",
                 "map/index.html"):
        assert path in site, path


def test_pages_start_with_charset_and_language(site):
    for name, html in site.items():
        lang = "en" if name.startswith("en/") else "zh-CN"  # the English edition lives under en/
        assert html.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">'), name


def test_unknown_investment_is_not_disclosed_never_zero(site):
    fund = site["projects/fund/index.html"]
    assert "未披露" in fund
    assert "0 亿元" not in fund
    backlight = site["projects/backlight/index.html"]
    assert "未披露（50 亿元以上）" in backlight


def test_chain_totals_count_only_disclosed_amounts(site):
    chain = site["chains/display/index.html"]
    # panel-plant 100 + site-project 3.2 disclosed; backlight only has a lower bound
    assert "3 个项目中，2 个披露投资，合计 103.2 亿元；1 个未披露（不计入合计）" in chain
    # the source's own figure stands beside the atlas count
    assert "签约项目" in chain and "显示产业链4个项目签约" in chain


def test_implied_links_are_marked(site):
    assert "来源暗示" in site["projects/backlight/index.html"]
    assert "来源暗示" not in site["projects/panel-plant/index.html"]


def test_precision_is_said_in_words(site):
    assert "只知道项目在崂山区（按所在园区推定）" in site["projects/panel-plant/index.html"]
    assert "没有来源给出项目所在的区" in site["projects/fund/index.html"]
    assert "没有来源给出园区所在的区" in site["parks/unplaced-park/index.html"]


def test_project_without_chain_says_so(site):
    assert "来源未说明" in site["projects/photo-caption/index.html"]


def test_sources_page_lists_what_cites_each_source(site):
    sources = site["sources/index.html"]
    assert 'id="test-daily"' in sources
    assert "面板工厂投入生产" in sources  # a project's quote
    assert "挂牌园区总数达到2个" in sources  # a city figure's quote


def test_markdown_bodies_are_sanitised(write_entry, mini_content):
    write_entry("projects/fund.yaml", "name: 测试基金\nstatus: signed\nsources:\n  - source: test-daily\n"
                "    quote: q\n")
    write_entry("pages/evil.md", "---\ntitle: x\n---\n<script>alert(1)</script>\n\n[a](javascript:alert(1))\n\n"
                "<img src=x onerror=alert(1)>\n")
    html = build(mini_content, None, mode="preview").files["evil/index.html"].decode()
    body = html.split('<main id="main"')[1].split("</main>")[0]
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body


def test_home_shows_headline_figures_and_milestones(site):
    home = site["index.html"]
    assert "挂牌园区总数" in home
    assert re.search(r"2023年9月</time>\s*<a [^>]*>面板工厂</a>：一期竣工", home)
