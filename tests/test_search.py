"""Search: one tokenizer in Python and JavaScript, the index file, and the results page in real Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from atlas.pipeline import build, load_atlas
from atlas.render import search
from atlas.render.site import STATIC_DIR
from tests.conftest import MINI, QINGDAO_CONTENT, RecordedPage, copy_content
from tests.searching import QINGDAO_QUERIES, entry_url, first_results, search_url

CASES = json.loads((Path(__file__).parent / "search_cases.json").read_text(encoding="utf-8"))
SEARCH_JS = STATIC_DIR / "js" / "search.js"


# --- the tokenizer, twice --------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case["about"] for case in CASES])
def test_python_tokenizer_follows_the_shared_cases(case):
    assert search.tokenize(case["text"]) == case["tokens"]


def test_shared_cases_cover_the_rule():
    assert len(CASES) >= 25
    tokens = [token for case in CASES for token in case["tokens"]]
    assert "miniled" in tokens and "背板" in tokens and "氢" in tokens  # word, bigram, lone character
    assert any(not case["tokens"] for case in CASES)


@pytest.mark.browser
def test_javascript_tokenizer_follows_the_same_cases(recorded_page):
    recorded = recorded_page()
    recorded.page.goto("about:blank")
    recorded.page.add_script_tag(path=str(SEARCH_JS))
    got = recorded.page.evaluate("cases => cases.map(c => AtlasSearch.tokenize(c.text))", CASES)
    for case, tokens in zip(CASES, got):
        assert tokens == case["tokens"], case["about"]
    assert recorded.errors == []


@pytest.mark.browser
def test_javascript_token_offsets_point_at_the_text_they_stand_for(recorded_page):
    """Highlighting relies on the offsets: each token is its own stretch of text, folded and lower-cased."""
    recorded = recorded_page()
    recorded.page.goto("about:blank")
    recorded.page.add_script_tag(path=str(SEARCH_JS))
    spans = recorded.page.evaluate("""cases => cases.map(c => { const out = [];
        AtlasSearch.scan(c.text, (token, start, end) => out.push([token, c.text.slice(start, end)])); return out; })""",
                                   CASES)
    for case, pairs in zip(CASES, spans):
        assert [token for token, _ in pairs] == case["tokens"]
        for token, stretch in pairs:
            assert search.tokenize(stretch) == [token], (case["about"], stretch)


def test_twin_constants_agree():
    """The token rule's name and CJK ranges are written in both languages; they must say the same."""
    code = SEARCH_JS.read_text(encoding="utf-8")
    assert re.search(r'var TOKENIZER = "([^"]+)"', code).group(1) == search.TOKENIZER
    block = re.search(r"var CJK_RANGES = \[(.*?)\];", code, re.S).group(1)
    ranges = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\[0x([0-9A-F]+), 0x([0-9A-F]+)\]", block)]
    assert tuple(ranges) == search.CJK_RANGES


def test_tokenizer_examples():
    assert search.tokenize("MiniLED背板") == ["miniled", "背板"]
    assert search.tokenize("黄岛区") == ["黄岛", "岛区"]
    assert search.tokenize("区") == ["区"]
    assert search.tokenize("Qingdao BOE 京东方") == ["qingdao", "boe", "京东", "东方"]


# --- documents and the index file ------------------------------------------------------------------

def test_plain_text_keeps_the_words_a_reader_sees():
    markdown = ("## 概况\n\n据[青岛日报](https://example.org/a)报道，**京东方**项目`投产`。\n\n"
                "- 第一条\n- 第二条\n\n| 列 | 值 |\n|---|---|\n| 产能 | 2000万片 |\n\n<b>注</b>：A &amp; B")
    text = search.plain_text(markdown)
    assert text == "概况 据青岛日报报道，京东方项目投产。 第一条 第二条 列 值 产能 2000万片 注 ：A & B"
    assert search.plain_text("没有标记的一句话。\n第二行") == "没有标记的一句话。 第二行"


def test_body_text_leaves_out_clauses_already_said():
    body = search.body_text("据文章，融合光电项目已完成主体施工，投产后可年产背板。投资额文章未说明。",
                            ["投产后可年产背板", "外部来源：项目位于新型显示产业园。", None],
                            summary="融合光电项目已完成主体施工。")
    assert body == "据文章，投产后可年产背板。投资额文章未说明。 外部来源：项目位于新型显示产业园。"


def test_plain_text_keeps_link_text_and_drops_comments_tags_and_table_marks():
    markdown = ("见[报道](https://example.org/a)与![图](b.png)，[参考][1]。<!-- 编者注 -->\n\n[1]: https://example.org/r\n"
                "<span>标签</span>\n\n| 甲 | 乙 |\n| :--- | ---: |\n|丙|丁|\n\n1) 第一项")
    assert search.plain_text(markdown) == "见报道与图，参考。 标签 甲 乙 丙 丁 第一项"
    assert search.plain_text("未闭合的 <!-- 注释 与 [括号") == "未闭合的 <!-- 注释 与 [括号"


N = 100_000
HOSTILE_BODIES = {  # each took from 1 s to minutes when a regex rescanned the rest of the text from every mark
    "brackets": "[" * N, "angle-brackets": "<" * N, "blank-lines": "第一行" + "\n" * N + "最后一行",
    "spaces": "甲" + " " * N + "乙", "tabs-then-pipe": "\t" * N + "|", "comment-openings": "<!--" * (N // 4),
    "image-openings": "![" * (N // 2), "reference-openings": "[a][" * (N // 4), "definition-lines": "[a]:\n" * (N // 5),
    "distinct-clauses": "，".join(str(number) for number in range(N // 6)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_search_text_of_a_hostile_body_takes_linear_time(name):
    body = HOSTILE_BODIES[name]
    started = time.perf_counter()
    text = search.body_text(body, [body[:5_000]], summary=body[:5_000])
    seconds = time.perf_counter() - started
    assert seconds < 2, f"{name}: {seconds:.1f} s"  # linear: ~0.05 s; the old quadratic regexes took 20 s to minutes
    assert len(text) <= len(body)


def test_body_text_past_its_search_budget_still_leaves_out_exact_repeats():
    clauses = [f"第{number}句" for number in range(40_000)]  # ~240 KB: past the budget for substring searches
    body = "。".join(clauses + clauses[:10]) + "。"
    text = search.body_text(body, [clauses[-1], "第1"], summary="")
    assert text == "。".join(clauses) + "。 第1"  # "第1" is inside "第1句", but only a search would find it


def test_documents_cover_every_chain_park_and_project():
    atlas = load_atlas(QINGDAO_CONTENT)
    documents = search.search_documents(atlas)
    assert len(documents) == len(atlas.chains) + len(atlas.parks) + len(atlas.projects)
    by_path = {document.path: document for document in documents}
    assert len(by_path) == len(documents)
    boe = by_path["projects/boe-qingdao-module-plant/index.html"]
    assert (boe.kind, boe.name, boe.chain, boe.park, boe.district) == (
        "project", "京东方项目（青岛移动显示模组工厂）", ("新型显示",), ("青岛市新型显示产业园",), ("黄岛区",))
    park = by_path["parks/virtual-reality-park/index.html"]
    assert park.chain == ("虚拟现实",) and "歌尔" in park.companies and park.district == ("崂山区",)
    for document in documents:
        assert "](" not in document.body and "**" not in document.body, document.path


def test_index_script_sets_a_global_and_is_safe_inside_a_script_element():
    hostile = search.SearchDocument("project", "x", "</script><script>alert(1)</script>", "<!-- a\u2028b", (), (),
                                    (), "", "", "")
    script = search.index_script([hostile])
    assert script.startswith("window.ATLAS_SEARCH = ") and script.endswith(";\n")
    assert "<" not in script and "\u2028" not in script
    data = json.loads(script.removeprefix("window.ATLAS_SEARCH = ").removesuffix(";\n"))
    assert data["tokenizer"] == search.TOKENIZER
    assert data["documents"][0][data["columns"].index("name")] == hostile.name
    assert data["documents"][0][data["columns"].index("name_en")] == hostile.name_en


def test_index_stores_shared_names_once():
    atlas = load_atlas(QINGDAO_CONTENT)
    data = search.index_payload(search.search_documents(atlas))
    assert data["labels"].count("新型显示") == 1
    assert {kind["kind"]: kind["path"] for kind in data["kinds"]}["project"] == "projects/{slug}/index.html"
    assert data["fields"] == ["name", "name_en", "chain", "park", "district", "companies", "summary", "body"]


def test_build_writes_the_index_and_the_search_page(tmp_path):
    result = build(copy_content(MINI, tmp_path / "content"), None, mode="offline")
    assert search.INDEX_PATH in result.files
    page = result.files["search/index.html"].decode("utf-8")
    assert 'data-url-mode="offline"' in page and 'data-home="../index.html"' in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts[-3:] == ["../static/vendor/minisearch/minisearch.js", "../static/search/index.js",
                            "../static/js/search.js"]
    home = result.files["index.html"].decode("utf-8")
    assert 'action="search/index.html"' in home and 'name="q"' in home


# --- the results page in Chromium ------------------------------------------------------------------

@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search-offline") / "site"
    build(QINGDAO_CONTENT, out, mode="offline")
    return out


@pytest.fixture(scope="module")
def module_page(browser):
    recorded = RecordedPage(browser)
    yield recorded
    recorded.close()


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected"), QINGDAO_QUERIES, ids=[q for q, _ in QINGDAO_QUERIES])
def test_query_puts_the_expected_entry_first_from_file(offline_site, module_page, query, expected):
    results = first_results(module_page, offline_site, query)
    assert results, f"no result for {query}"
    assert results[0].url == entry_url(offline_site, expected), [r.title for r in results[:3]]
    assert results[0].href == "../" + expected  # page-relative, index.html named (file:// has no index)
    assert (offline_site / expected).is_file()
    assert module_page.errors == [] and module_page.foreign_requests == []


@pytest.mark.browser
def test_results_show_kind_and_highlight_every_matched_word(offline_site, module_page):
    page = module_page.page
    first_results(module_page, offline_site, "黄岛区")
    assert page.eval_on_selector(".search-result .search-result-kind", "e => e.textContent") == "园区"
    marks = page.eval_on_selector_all(".search-result:first-child mark", "ms => ms.map(m => m.textContent)")
    assert marks and set(marks) == {"黄岛区"}  # the two bigrams merge into one highlight
    first_results(module_page, offline_site, "MiniLED")
    title = page.eval_on_selector(".search-result-title", "e => e.innerHTML")
    assert title.startswith('<a href="../projects/ronghe-miniled-backplane/index.html">融合光电<mark>MiniLED</mark>')
    kinds = {r.kind for q in ("京东方", "虚拟现实") for r in first_results(module_page, offline_site, q)}
    assert kinds == {"产业链", "园区", "项目"}
    assert module_page.errors == []


@pytest.mark.browser
def test_query_text_is_never_markup(offline_site, module_page):
    page = module_page.page
    results = first_results(module_page, offline_site, '<img src=x onerror="window.pwned=1">京东方')
    assert results == []
    assert page.locator("#search-app img").count() == 0 and page.evaluate("() => window.pwned") is None
    assert "<img src=x" in page.text_content(".search-status")


@pytest.mark.browser
def test_no_match_and_empty_query_say_so(offline_site, module_page):
    assert first_results(module_page, offline_site, "不存在的词语xyz") == []
    assert "没有找到" in module_page.page.text_content(".search-status")
    assert first_results(module_page, offline_site, "") == []
    assert "输入" in module_page.page.text_content(".search-status")


@pytest.mark.browser
def test_header_box_on_any_page_opens_the_results_from_file(offline_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto((offline_site / "parks" / "virtual-reality-park" / "index.html").as_uri())
    page.fill("header input[name=q]", "京东方")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#search-app[data-search-state=ready]")
    assert page.url.split("?")[0] == (offline_site / "search" / "index.html").as_uri()
    assert page.input_value("#search-page-q") == "京东方"
    page.click(".search-result a")
    page.wait_for_load_state()
    assert page.url == (offline_site / "projects" / "boe-qingdao-module-plant" / "index.html").as_uri()
    assert recorded.errors == [] and recorded.foreign_requests == []


@pytest.mark.browser
def test_typing_updates_results_and_the_address(offline_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto(search_url(offline_site, ""))
    page.wait_for_selector("#search-app[data-search-state=ready]")
    page.fill("#search-page-q", "歌尔")
    page.wait_for_selector(".search-result")
    assert page.text_content(".search-result a") == "歌尔整机和光学模组项目一期"
    assert page.url.endswith("?q=" + "%E6%AD%8C%E5%B0%94")
    assert recorded.errors == []


@pytest.mark.browser
def test_without_javascript_the_page_points_to_the_indexes(offline_site, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(search_url(offline_site, "京东方"))
        links = page.eval_on_selector_all("noscript a", "links => links.map(a => a.getAttribute('href'))")
        assert "../projects/index.html" in links and "../chains/index.html" in links and "../parks/index.html" in links
        assert "JavaScript" in page.text_content("noscript")
    finally:
        context.close()


@pytest.fixture
def broken_copy(offline_site, tmp_path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(offline_site, site)
    return site


@pytest.mark.browser
def test_missing_minisearch_fails_loudly(broken_copy, recorded_page):
    (broken_copy / "static" / "vendor" / "minisearch" / "minisearch.js").unlink()
    recorded = recorded_page()
    assert first_results(recorded, broken_copy, "京东方") == []
    assert recorded.page.get_attribute("#search-app", "data-search-state") == "broken"
    assert "MiniSearch is not loaded" in recorded.page.text_content(".search-status")
    assert any("MiniSearch is not loaded" in error for error in recorded.errors)


@pytest.mark.browser
def test_index_of_another_token_rule_fails_loudly(broken_copy, recorded_page):
    index = broken_copy / search.INDEX_PATH
    index.write_text(index.read_text(encoding="utf-8").replace(search.TOKENIZER, "whitespace-0"), encoding="utf-8")
    recorded = recorded_page()
    assert first_results(recorded, broken_copy, "京东方") == []
    assert "whitespace-0" in recorded.page.text_content(".search-status")
    assert any("rebuild the site" in error for error in recorded.errors)


# --- preview and published modes over HTTP --------------------------------------------------------

@pytest.fixture(scope="module", params=["preview", "published"])
def served_site(request, tmp_path_factory):
    """The atlas built in preview or published mode, served on 127.0.0.1 by http.server (directory URLs)."""
    out = tmp_path_factory.mktemp(f"search-{request.param}") / "site"
    build(QINGDAO_CONTENT, out, mode=request.param, base_url="https://example.org/atlas/")
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected"), [
    ("京东方", "projects/boe-qingdao-module-plant/index.html"),
    ("AstraZeneca", "projects/astrazeneca-inhalation-aerosol-base/index.html"),
])
def test_served_site_answers_with_directory_links(served_site, recorded_page, query, expected):
    recorded = recorded_page()
    results = first_results(recorded, served_site, query, explicit_index=False)
    assert results[0].href == "../" + expected.removesuffix("index.html")
    assert results[0].url == entry_url(served_site, expected, explicit_index=False)
    assert recorded.errors == [] and recorded.foreign_requests == []
    with recorded.page.expect_navigation() as navigation:  # the entry page itself may ask for map tiles
        recorded.page.click(".search-result a")
    assert navigation.value.status == 200 and recorded.page.url == results[0].url
    assert recorded.page.text_content("h1").startswith(results[0].title)


# --- the English index --------------------------------------------------------------------------------

def test_english_documents_use_the_english_twins_and_fall_back_to_the_chinese(tmp_path):
    from atlas.i18n import language

    atlas = load_atlas(copy_content(MINI, tmp_path / "content"))
    english = {(d.kind, d.slug): d for d in search.search_documents(atlas)}
    english = {key: search.translated_document(atlas, document, language("en")) for key, document in english.items()}
    plant = english[("project", "panel-plant")]  # status_note_en, companies_en and capacity_en are written
    assert plant.companies == "Company A" and "甲公司" not in plant.companies
    assert "in production" in plant.body and "100 million panels a year" in plant.body
    assert "投入生产" not in plant.body and "年产1亿片" not in plant.body
    park = english[("park", "display-park")]  # no enterprises_en: the Chinese names stay searchable
    assert "甲公司" in park.companies


@pytest.fixture(scope="module")
def mini_offline_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search-mini") / "site"
    build(copy_content(MINI, out.parent / "content"), out, mode="offline")
    return out


@pytest.mark.browser
@pytest.mark.parametrize("query", ["Company A", "million panels", "in production"])
def test_an_english_query_on_an_english_twin_finds_the_entry(mini_offline_site, module_page, query):
    site = mini_offline_site / "en"
    results = first_results(module_page, site, query)
    assert results and results[0].url == entry_url(site, "projects/panel-plant/index.html"), \
        [r.title for r in results[:3]]
    assert module_page.errors == [] and module_page.foreign_requests == []
