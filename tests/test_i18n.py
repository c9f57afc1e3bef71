"""The English edition: catalogs, twin pages, no stray Chinese, the switcher, missing translations, search."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from atlas.cli import main
from atlas.i18n import LOCALES_DIR, catalog_path, compile_catalog, language, untranslated
from atlas.linkcheck import check_links
from atlas.paths import PROJECT_ROOT
from atlas.pipeline import load_atlas, render
from atlas.problems import ContentError
from atlas.render import text
from atlas.render.search import index_path, search_index_file
from atlas.render.urls import UrlMode
from tests.conftest import MINI, copy_content

BASE = "https://example.org/atlas/"
MODES = {"published": UrlMode("published", BASE), "preview": UrlMode("preview"), "offline": UrlMode("offline")}
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# Words deliberately shown in both languages on English pages, outside lang="zh-CN" elements: none so far.
BILINGUAL_EXCEPTIONS: frozenset[str] = frozenset()
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def mini_files(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The mini atlas rendered in every URL mode."""
    atlas = load_atlas(copy_content(MINI, tmp_path_factory.mktemp("i18n") / "content"))
    return {name: render(atlas, mode) for name, mode in MODES.items()}


def pages(files: dict[str, bytes]) -> dict[str, str]:
    return {path: data.decode("utf-8") for path, data in files.items() if path.endswith(".html")}


# --- catalogs -------------------------------------------------------------------------------------

def extracted_messages() -> set[str]:
    """Every interface string of the code and templates, extracted as `make i18n-extract` does."""
    with open(LOCALES_DIR / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for path in ("atlas", "templates"):  # the patterns are relative to the project folder
        for _name, _line, message, _comments, _context in extract_from_dir(
                PROJECT_ROOT, method_map, options_map,
                directory_filter=lambda d, path=path: Path(d).relative_to(PROJECT_ROOT).parts[:1] in ((path,), ())):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_english_catalog_translates_every_interface_string():
    catalog = catalog_path("en")
    assert untranslated(catalog) == [], "empty or fuzzy entries: run `make i18n-update`, then translate them"
    translated = compile_catalog(catalog, catalog.stat().st_mtime_ns)
    missing = sorted(m for m in extracted_messages() if m and translated.gettext(m) == m)
    assert missing == [], f"not in locales/en (run `make i18n-update` and translate): {missing[:5]}"


def test_extraction_finds_template_and_python_strings():
    messages = extracted_messages()
    # from a template, model.py, views.py and text.py
    assert {"跳到正文", "规划", "前期（规划、签约、落地、许可）", "市南区"} <= messages


def test_an_empty_or_fuzzy_entry_is_reported_and_not_used(tmp_path):
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  '#, fuzzy\nmsgid "菜单"\nmsgstr "Menu"\n\nmsgid "首页"\nmsgstr ""\n\n'
                  'msgid "地图"\nmsgstr "Map"\n', encoding="utf-8")
    assert [message for _, message in untranslated(po)] == ["菜单", "首页"]
    english = language("en", tmp_path)
    assert (english.gettext("菜单"), english.gettext("首页"), english.gettext("地图")) == ("菜单", "首页", "Map")


def test_a_malformed_catalog_is_a_path_and_line_problem(tmp_path):
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n\nmsgid "菜单"\nmsgstr "Menu"\nthis is not a po line\n', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        language("en", tmp_path)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.field) == (po, 6, "catalog")
    assert problem.format().startswith(f"{po.as_posix()}:6: catalog: ")


def test_a_missing_catalog_is_a_clear_problem(tmp_path):
    with pytest.raises(ContentError) as caught:
        language("en", tmp_path)
    assert "make i18n-update" in caught.value.problems[0].message


# --- numbers and dates ------------------------------------------------------------------------------

ENGLISH = language("en")


@pytest.mark.parametrize(("yi", "chinese", "english"), [
    (50, "50 亿元", "CNY 5 billion"), (81.7, "81.7 亿元", "CNY 8.17 billion"),
    (3942.1, "3,942.1 亿元", "CNY 394.21 billion"),
    (0.5, "0.5 亿元", "CNY 0.05 billion"), (12345, "12,345 亿元", "CNY 1,234.5 billion"),
])
def test_amounts_follow_the_written_rule(yi, chinese, english):
    assert text.amount(yi) == chinese
    assert text.amount(yi, ENGLISH) == english


def test_unknown_amounts_and_dates_in_english():
    assert text.yi(None, None, ENGLISH) == "not disclosed"
    assert text.yi(None, 50, ENGLISH) == "not disclosed (over CNY 5 billion)"
    dates = ("2023", "2023-10", "2023-10-07")
    assert [text.date_label(d, ENGLISH) for d in dates] == ["2023", "Oct 2023", "7 Oct 2023"]
    assert text.date_label("2023-10-07") == "2023年10月7日"


# --- twin pages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", sorted(MODES))
def test_every_page_has_its_twin_in_the_other_language(mini_files, mode):
    html = pages(mini_files[mode])
    chinese = {path for path in html if not path.startswith("en/") and path != "404.html"}
    english = {path.removeprefix("en/") for path in html if path.startswith("en/")}
    assert chinese == english
    assert len(chinese) == 19  # home, 8 index and free pages, 2 chains, 2 parks, 5 projects
    for path in html:
        expected = "en" if path.startswith("en/") else "zh-CN"
        assert f'<html lang="{expected}">' in html[path], path


class Scan(HTMLParser):
    """CJK characters outside elements marked lang="zh-CN" (text, and words in attributes people read)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside Chinese or script)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        inherited = bool(self.stack and self.stack[-1][1])
        lang = attributes.get("lang")
        chinese = (lang or "").startswith("zh") or (inherited and lang is None) or tag in ("script", "style")
        if not chinese:
            self.found += [f"<{tag} {name}>: {value}" for name, value in attrs
                           if name in ("title", "aria-label", "placeholder", "alt", "content", "data-template")
                           and value and CJK.search(value) and value not in BILINGUAL_EXCEPTIONS]
        if tag not in VOID:
            self.stack.append((tag, chinese))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]) and CJK.search(data) and data.strip() not in BILINGUAL_EXCEPTIONS:
            self.found.append(f"<{self.stack[-1][0] if self.stack else ''}>: {data.strip()[:80]}")


def stray_chinese(html: str) -> list[str]:
    scan = Scan()
    scan.feed(html)
    return scan.found


def test_the_scan_finds_chinese_outside_marked_elements():
    assert stray_chinese('<html lang="en"><p title="地图">Map <b>地图</b></p><p lang="zh-CN">地图 <i>图</i></p>') == [
        "<p title>: 地图", "<b>: 地图"]


@pytest.mark.parametrize("mode", sorted(MODES))
def test_english_pages_have_no_chinese_outside_marked_elements(mini_files, mode):
    found = {path: stray_chinese(html) for path, html in pages(mini_files[mode]).items() if path.startswith("en/")}
    assert {path: words for path, words in found.items() if words} == {}


def test_english_sentences_put_together_from_several_messages_are_spaced(mini_files):
    """Chinese sentences follow one another with no space; English ones need one, which each message but the last
    carries at its end (a map's note is made of up to three)."""
    joined = re.compile(r"[a-z)]\.[A-Z]")
    found = {path: joined.findall(re.sub(r"<[^>]*>", " ", html)) for path, html in pages(mini_files["preview"]).items()
             if path.startswith("en/")}
    assert {path: runs for path, runs in found.items() if runs} == {}
    assert "not at an exact address. The list below the map" in pages(mini_files["preview"])[
        "en/projects/photo-caption/index.html"]


def test_chinese_pages_keep_their_words(mini_files):
    html = pages(mini_files["preview"])
    assert "跳到正文" in html["index.html"] and "Skip to content" in html["en/index.html"]
    assert "CNY 10 billion" in html["en/projects/panel-plant/index.html"]  # 100 亿元
    assert "100 亿元" in html["projects/panel-plant/index.html"]


# --- content in English, and what is not yet translated ---------------------------------------------

def test_english_names_and_bodies_are_used(mini_files):
    html = pages(mini_files["preview"])
    english = html["en/projects/panel-plant/index.html"]
    assert "<h1>Panel plant " in english and "Notes on the panel plant." in english
    assert "面板工厂的说明" not in english
    assert "面板工厂的说明" in html["projects/panel-plant/index.html"]
    assert "Notes on the display chain." in html["en/chains/display/index.html"]
    assert "This entry is not fully translated yet" not in html["en/chains/display/index.html"]


def test_missing_english_shows_the_chinese_marked_never_blank(mini_content, write_entry):
    write_entry("projects/fund.yaml", "name: 测试基金\nchain: finance\nstatus: signed\nsummary: 一只测试基金。\n"
                "sources:\n  - source: test-daily\n    quote: 测试基金签约\n")
    (mini_content / "chains" / "display.en.md").unlink()
    files = render(load_atlas(mini_content), MODES["preview"])
    html = files["en/projects/fund/index.html"].decode()
    assert '<h1><span class="untranslated" lang="zh-CN" title="Not yet translated">测试基金</span>' in html
    assert ('<p class="lede"><span class="untranslated" lang="zh-CN">一只测试基金。</span> '
            '<small class="untranslated-note">(not yet translated: the Chinese original)</small></p>') in html
    assert "This entry is not fully translated yet" in html
    chain = files["en/chains/display/index.html"].decode()
    assert ('<div class="untranslated" lang="zh-CN"><p class="untranslated-note" lang="en">(not yet translated: '
            'the Chinese original)</p><p>显示产业链的说明。</p></div>') in chain


# --- the switcher, hreflang, sitemap ------------------------------------------------------------------

def switch_link(html: str, lang: str) -> str:
    [href] = re.findall(rf'<a href="([^"]*)" hreflang="[^"]*" lang="[^"]*" data-lang-switch="{lang}">', html)
    return href


@pytest.mark.parametrize("mode", sorted(MODES))
def test_the_switcher_leads_to_the_same_page_in_the_other_language(mini_files, mode):
    files = mini_files[mode]
    for path, html in pages(files).items():
        if path == "404.html":
            continue
        other = "zh" if path.startswith("en/") else "en"
        twin = path.removeprefix("en/") if other == "zh" else "en/" + path
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), switch_link(html, other)))
        if not target.endswith(".html"):
            target = posixpath.join(target, "index.html") if target != "." else "index.html"
        assert target == twin, (mode, path)
    assert check_links(files, MODES[mode].base_url, directory_index=not MODES[mode].explicit_index) == []


def test_published_pages_name_their_alternates(mini_files):
    html = pages(mini_files["published"])
    project = html["en/projects/backlight/index.html"]
    assert f'<link rel="alternate" hreflang="zh-CN" href="{BASE}projects/backlight/">' in project
    assert f'<link rel="alternate" hreflang="en" href="{BASE}en/projects/backlight/">' in project
    assert f'<link rel="alternate" hreflang="x-default" href="{BASE}projects/backlight/">' in project
    assert 'hreflang="x-default"' not in pages(mini_files["preview"])["en/projects/backlight/index.html"]
    sitemap = mini_files["published"]["sitemap.xml"].decode()
    assert f"<loc>{BASE}en/projects/backlight/</loc>" in sitemap and f"<loc>{BASE}projects/backlight/</loc>" in sitemap


# --- check lists what is missing ------------------------------------------------------------------------

def warning_count(err: str) -> int:
    match = re.search(r"(\d+) warnings?: missing English translations\.\n$", err)
    return int(match.group(1)) if match else 0


def test_check_warns_about_missing_translations_and_strict_fails(mini_content, write_entry, capsys):
    assert main(["check", "--content", str(mini_content), "--quiet"]) == 0
    before = warning_count(capsys.readouterr().err)  # the mini atlas leaves a few notes untranslated on purpose
    write_entry("projects/fund.yaml", "name: 测试基金\nname_en: Test Fund\nchain: finance\nstatus: signed\n"
                "summary: 一只测试基金。\nsources:\n  - source: test-daily\n    quote: 测试基金签约\n")
    assert main(["check", "--content", str(mini_content), "--quiet"]) == 0
    warned = capsys.readouterr().err
    assert ("content/projects/fund.yaml:5: summary_en: warning: no English summary; add summary_en "
            "(the English page shows the Chinese summary, marked untranslated)") in warned
    assert warning_count(warned) == before + 1
    assert main(["check", "--content", str(mini_content), "--quiet", "--strict"]) == 1
    assert "(--strict: failing)" in capsys.readouterr().err


def test_check_lists_notes_lists_and_nested_fields_without_english(mini_content, write_entry, capsys):
    write_entry("projects/fund.yaml", "name: 测试基金\nname_en: Test Fund\nstatus: signed\nstatus_note: 已签约\n"
                "companies: [甲公司]\ntags: [基金]\nlocation:\n  precision: city\n  note: 全市\n"
                "facts:\n  - text: 事实\n    text_en: A fact\n    url: https://example.org/f\n    quote: 事实\n"
                "    note: 镜像页\nsources:\n  - source: test-daily\n    quote: 测试基金签约\n")
    assert main(["check", "--content", str(mini_content), "--quiet"]) == 0
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if "projects/fund.yaml" in line]
    assert [line.split(": warning")[0].split("fund.yaml:")[1] for line in warned] == [
        "4: status_note_en", "5: companies_en", "6: tags_en", "9: location.note_en", "15: facts[1].note_en"]
    assert "figures.yaml" not in err  # its one period, '2023', has no Chinese to translate
    write_entry("figures.yaml", "figures:\n  - id: x\n    label: 项目\n    label_en: Projects\n    value: 1\n"
                "    period: 2023年\n    source: test-daily\n    quote: 项目\n")
    assert main(["check", "--content", str(mini_content), "--quiet"]) == 0
    assert "content/figures.yaml:6: figures[1].period_en: warning: no English for 'figures[1].period'" in (
        capsys.readouterr().err)


def test_english_lists_must_pair_up_with_the_chinese(mini_content, write_entry):
    write_entry("projects/fund.yaml", "name: 测试基金\nstatus: signed\ncompanies: [甲公司, 乙公司]\n"
                "companies_en: [Company A]\nsources:\n  - source: test-daily\n    quote: 测试基金签约\n")
    with pytest.raises(ContentError) as error:
        load_atlas(mini_content)
    assert [(p.line, p.field) for p in error.value.problems] == [(4, "companies_en")]
    assert "1 English names for 2 in 'companies'" in error.value.problems[0].message


def test_english_twins_of_notes_and_lists_are_shown_and_missing_ones_marked(mini_files):
    html = pages(mini_files["preview"])
    plant = html["en/projects/panel-plant/index.html"]
    assert "in production" in plant and "Company A" in plant and "<li>100 million panels a year</li>" in plant
    assert "“投入生产”" not in plant and "甲公司" not in plant  # (the source's quote stays Chinese, marked)
    chinese = html["projects/panel-plant/index.html"]
    assert "投入生产" in chinese and "甲公司" in chinese and "Company A" not in chinese
    park = html["en/parks/display-park/index.html"]  # no enterprises_en, no location.note_en: Chinese, marked
    assert '<li><span class="untranslated" lang="zh-CN" title="Not yet translated">甲公司</span></li>' in park
    assert '<span class="untranslated" lang="zh-CN">测试园区位于崂山区</span>' in park


def test_an_entry_without_an_english_name_is_marked_wherever_its_name_appears(mini_content, write_entry):
    write_entry("projects/fund.yaml", "name: 测试基金\nchain: display\nstatus: signed\nlocation:\n  precision: "
                "district\n  district: 崂山区\nsources:\n  - source: test-daily\n    quote: 测试基金签约\n")
    files = pages(render(load_atlas(mini_content), MODES["preview"]))
    page = files["en/projects/fund/index.html"]
    assert "<title>测试基金 (not yet translated) · " in page
    assert 'aria-label="Map of where 测试基金 (not yet translated) is"' in page  # the map's label
    chain = files["en/chains/display/index.html"]
    # the map's list of places: the name is markup, so it is marked as Chinese
    assert '<span class="untranslated" lang="zh-CN" title="Not yet translated">测试基金</span></a>' in chain
    for path, html in files.items():
        if path.startswith("en/"):
            # plain text (titles, attributes, chart labels) cannot carry lang="zh-CN": it says so in words
            unmarked = [found for found in stray_chinese(html) if "测试基金 (not yet translated)" not in found]
            assert unmarked == [], path
    assert "not yet translated" not in files["projects/fund/index.html"]


def test_the_figures_page_compares_in_english(mini_content, write_entry):
    from tests.test_figures_page import FIGURES

    write_entry("figures.yaml", FIGURES)
    html = pages(render(load_atlas(mini_content), MODES["preview"]))
    english, chinese = html["en/figures/index.html"], html["figures/index.html"]
    assert "1 projects disclose their investment, CNY 10 billion in total (1 more do not disclose it" in english
    assert "parks in the atlas listed in 2022" in english and "the atlas has no comparable subset" in english
    assert stray_chinese(english) == []
    assert "1 个项目披露投资，合计 100 亿元（另 1 个未披露，不计入）" in chinese


def test_the_english_feed_speaks_english_and_links_english_pages(mini_files):
    import feedparser

    files = mini_files["published"]
    feed = feedparser.parse(files["en/feed.xml"])
    assert not feed.bozo and feed.feed.language == "en"
    assert {link.rel: link.href for link in feed.feed.links}["self"] == BASE + "en/feed.xml"
    assert feed.entries and all(entry.link.startswith(BASE + "en/") for entry in feed.entries)
    assert all(not CJK.search(entry.title.replace("(not yet translated)", "").split(": ")[0])
               for entry in feed.entries)
    assert feedparser.parse(files["feed.xml"]).feed.language == "zh-CN"
    english_home = pages(files)["en/index.html"]
    assert f'type="application/atom+xml" href="{BASE}en/feed.xml"' in english_home
    assert f'href="{BASE}feed.xml"' in pages(files)["index.html"]


def test_the_english_base_map_names_districts_in_english(mini_files):
    files = mini_files["preview"]
    def script(pattern: str) -> str:
        [found] = [data.decode() for name, data in files.items() if re.fullmatch(pattern, name)]
        return found
    english = script(r"static/geo/qingdao-geo\.en(\.[0-9a-f]+)?\.js")
    chinese = script(r"static/geo/qingdao-geo(\.[0-9a-f]+)?\.js")
    assert '"崂山区":{"text":"Laoshan District",' in english and "District boundaries and coastline" in english
    assert '"崂山区":{"text":"崂山区",' in chinese and "区界、海岸线" in chinese
    assert "qingdao-geo.en" in pages(files)["en/map/index.html"]
    assert "qingdao-geo.en" not in pages(files)["map/index.html"]


def test_a_body_shown_on_both_editions_renders_once():
    text.markdown_to_html.cache_clear()
    body = "只有中文的正文。"
    text.markdown_to_html(body)
    text.markdown_to_html(body)
    info = text.markdown_to_html.cache_info()
    assert (info.hits, info.misses) == (1, 1) and info.maxsize is not None  # bounded


# --- search ----------------------------------------------------------------------------------------------

def test_the_english_search_index_names_entries_in_english(mini_content):
    atlas = load_atlas(mini_content)
    index = search_index_file(atlas, ENGLISH).decode()
    assert '"Panel plant","面板工厂"' in index and "Notes on the panel plant." in index
    assert '"label":"Projects"' in index
    assert index_path(ENGLISH) == "static/search/index.en.js"
    assert '"面板工厂","Panel plant"' in search_index_file(atlas).decode()  # the Chinese index: Chinese first


def test_primary_language_needs_no_catalog():
    assert language("zh", Path("/nonexistent")) == language("zh") == text.CHINESE


# --- in Chromium ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def offline_site(mini_files, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("offline-site")
    for path, data in mini_files["offline"].items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


@pytest.mark.browser
def test_the_switcher_click_keeps_the_reader_on_the_entry_from_file(offline_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto((offline_site / "projects" / "panel-plant" / "index.html").as_uri())
    page.click("a[data-lang-switch=en]")
    page.wait_for_load_state()
    assert page.url == (offline_site / "en" / "projects" / "panel-plant" / "index.html").as_uri()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Panel plant")
    page.click("a[data-lang-switch=zh]")
    page.wait_for_load_state()
    assert page.url == (offline_site / "projects" / "panel-plant" / "index.html").as_uri()
    assert recorded.errors == [] and recorded.foreign_requests == []


@pytest.mark.browser
def test_english_search_finds_an_entry_by_its_english_name(offline_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto((offline_site / "en" / "search" / "index.html").as_uri() + "?q=backlight")
    page.wait_for_selector("#search-app[data-search-state=ready]")
    first = page.locator(".search-results li").first
    assert first.locator("h2 a").inner_text() == "Backlight Module Project"
    assert first.locator(".search-result-en").get_attribute("lang") == "zh-CN"
    assert first.locator(".search-result-kind").inner_text() == "Projects"
    first.locator("h2 a").click()
    page.wait_for_load_state()
    assert page.url == (offline_site / "en" / "projects" / "backlight" / "index.html").as_uri()
    status = page.goto((offline_site / "en" / "search" / "index.html").as_uri() + "?q=zzzz")
    assert status is None or status.ok
    page.wait_for_selector("#search-app[data-search-state=ready]")
    assert page.locator(".search-status").inner_text() == "No entry found for “zzzz”."
    assert recorded.errors == [] and recorded.foreign_requests == []


@pytest.mark.browser
def test_an_english_map_popup_and_list_speak_english(offline_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto((offline_site / "en" / "parks" / "display-park" / "index.html").as_uri())
    page.wait_for_function("() => window.AtlasMaps && Object.keys(AtlasMaps.registry).length > 0")
    dom_id = page.locator(".atlas-map").first.get_attribute("id")
    popup = page.evaluate(f"""() => {{
        const entry = AtlasMaps.registry[{dom_id!r}];
        const marker = entry.markers.find(m => m.atlasPlace.slug === 'backlight');
        return marker.getPopup().getContent().textContent;
    }}""")
    assert "Backlight Module Project" in popup and "Signed" in popup and "CNY 5 billion" in popup
    assert not CJK.search(popup), popup
    places = page.locator("details.places li").all_inner_texts()
    assert any(text.startswith("Backlight Module Project (Projects)") for text in places), places
    assert not any(CJK.search(text) for text in places)
    assert recorded.errors == [] and recorded.foreign_requests == []
