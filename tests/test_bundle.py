"""The offline bundle: unzipped anywhere, every page, map and search works from file:// with no request elsewhere."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from atlas.bundle import FOLDER
from atlas.linkcheck import check_folder, page_links
from tests.conftest import MINI, ROOT, copy_content
from tests.crawling import crawl

pytestmark = pytest.mark.browser


def run_bundle(content: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "bundle", "--content", str(content), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The zip of the mini atlas, built by the command line."""
    folder = tmp_path_factory.mktemp("bundle")
    content = copy_content(MINI, folder / "content")
    result = run_bundle(content, folder / "dist" / "atlas.zip")
    assert result.returncode == 0, result.stderr
    assert "unzip it anywhere and open index.html" in result.stdout
    return folder / "dist" / "atlas.zip"


@pytest.fixture(scope="module")
def unzipped(bundle, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("somewhere else, with spaces & 中文")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(target)
    return target / FOLDER


def test_every_page_works_from_file_with_no_other_request(unzipped, recorded_page):
    recorded = recorded_page()
    start = (unzipped / "index.html").as_uri()
    result = crawl(recorded, start, unzipped.as_uri() + "/")
    assert result.broken == []
    assert recorded.errors == []
    assert [url for url in recorded.requests if not url.startswith("file://")] == []
    html_files = {p.as_uri() for p in unzipped.rglob("*.html")}
    assert set(result.pages) == html_files, "every page is reachable by links"


def test_maps_draw_and_their_popups_name_index_html(unzipped, recorded_page):
    recorded = recorded_page()
    page_file = unzipped / "map" / "index.html"
    recorded.page.goto(page_file.as_uri())
    recorded.page.wait_for_function("() => window.AtlasMaps && Object.keys(AtlasMaps.registry).length > 0")
    assert recorded.page.locator(".leaflet-container").count() == 1
    urls = recorded.page.evaluate(
        "() => Object.values(AtlasMaps.registry).flatMap(m => m.markers.map(k => k.atlasPlace.url))")
    assert urls, "the map shows places"
    for url in urls:
        assert url.endswith("index.html") and not url.startswith(("/", "file:", "http")), url
        assert (page_file.parent / url).resolve().is_file(), url
    assert recorded.errors == [] and all(u.startswith("file://") for u in recorded.requests)


def test_search_answers_from_file(unzipped, recorded_page):
    recorded = recorded_page()
    recorded.page.goto((unzipped / "search" / "index.html").as_uri() + "?q=面板")
    recorded.page.wait_for_selector(".search-results a")
    first = recorded.page.eval_on_selector(".search-results a", "a => a.getAttribute('href')")
    assert first.endswith("projects/panel-plant/index.html")
    assert recorded.errors == [] and all(u.startswith("file://") for u in recorded.requests)


def test_links_are_page_relative_and_name_index_html(unzipped):
    assert check_folder(unzipped, directory_index=False) == []
    for page in unzipped.rglob("*.html"):
        for link in page_links(page.read_bytes()).links:
            assert not link.startswith(("/", "file:")), (page, link)


def test_every_page_and_script_declares_utf8_and_nothing_fetches_or_imports(unzipped):
    for page in unzipped.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert re.match(r'<!DOCTYPE html>\s*<html[^>]*>\s*<head>\s*<meta charset="utf-8">', html), page
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'type="module"' not in tag, (page, tag)
            if "src=" in tag:
                assert 'charset="utf-8"' in tag, (page, tag)
        assert "fetch(" not in html
    own_scripts = [p for p in unzipped.joinpath("static").rglob("*.js") if "vendor" not in p.parts]
    assert own_scripts
    for script in own_scripts:
        code = script.read_text(encoding="utf-8")
        assert not re.search(r"\bfetch\(|XMLHttpRequest|^\s*(import|export)\b|\bimport\(", code, re.M), script


def test_zip_holds_one_folder_with_a_bilingual_readme(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        readme = archive.read(f"{FOLDER}/README.txt").decode("utf-8-sig")
    assert all(name.startswith(f"{FOLDER}/") for name in names)
    assert f"{FOLDER}/index.html" in names and f"{FOLDER}/search/index.html" in names
    assert not {f"{FOLDER}/{n}" for n in ("sitemap.xml", "feed.xml", "robots.txt", "404.html")} & set(names)
    assert "index.html" in readme and "解压" in readme and "extract the whole zip" in readme
    assert "搜索" in readme and "search" in readme


def test_bundle_is_reproducible(bundle, tmp_path):
    again = tmp_path / "again.zip"
    assert run_bundle(bundle.parent.parent / "content", again).returncode == 0
    if again.read_bytes() != bundle.read_bytes():
        with zipfile.ZipFile(bundle) as first, zipfile.ZipFile(again) as second:
            differing = [n for n in first.namelist() if n not in second.namelist() or first.read(n) != second.read(n)]
        raise AssertionError(f"two bundles of the same content differ: {differing[:5]}")


def test_bundle_of_broken_content_writes_nothing(mini_content, tmp_path):
    (mini_content / "projects" / "fund.yaml").write_text("name: 基金\nstatus: builing\n", encoding="utf-8")
    out = tmp_path / "dist" / "atlas.zip"
    result = run_bundle(mini_content, out)
    assert result.returncode == 1
    assert "projects/fund.yaml:2: status:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
