"""The published site under a path prefix, served by a real static server on loopback and crawled in Chromium."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest

from atlas.linkcheck import page_links
from atlas.pipeline import load_atlas, render
from atlas.render.fingerprint import HASHED_NAME, KEEP_NAMES, fingerprint, hashed_name
from atlas.render.published import SITEMAP_NS, git_added_dates
from atlas.render.urls import UrlMode
from tests.conftest import MINI, ROOT, copy_content
from tests.crawling import crawl, free_port, wait_for_port

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Published:
    base: str  # http://127.0.0.1:PORT/atlas/
    site: Path  # the folder served at /atlas/


def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "build", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("published")
    content = copy_content(MINI, folder / "content")
    port = free_port()
    base = f"http://127.0.0.1:{port}/atlas/"
    built = run_build("--content", str(content), "--out", str(folder / "root" / "atlas"), "--base-url", base,
                      "--quiet")
    assert built.returncode == 0, built.stderr
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder / "root")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        yield Published(base, folder / "root" / "atlas")
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as reply:
        assert reply.status == 200, url
        return reply.read()


def sitemap_locs(published: Published) -> list[str]:
    root = ET.fromstring(fetch(published.base + "sitemap.xml"))
    return [loc.text for loc in root.iter(f"{{{SITEMAP_NS}}}loc")]


def test_crawl_under_a_path_prefix_finds_every_page_and_no_broken_link(published, recorded_page):
    recorded = recorded_page()
    result = crawl(recorded, published.base, published.base)
    assert result.broken == []
    assert recorded.errors == []
    outside = [url for url in recorded.requests if not url.startswith(published.base)]
    assert outside == [], "every request stays under the path prefix"
    assert all(url.endswith("/") for url in result.pages), "pretty directory URLs, no index.html in links"
    # the sitemap lists exactly the pages that exist, and the crawl reaches every one of them
    on_disk = {published.base + p.relative_to(published.site).as_posix().removesuffix("index.html")
               for p in published.site.rglob("*.html") if p.name != "404.html"}
    assert sorted(sitemap_locs(published)) == sorted(on_disk) == sorted(set(result.pages))


def test_sitemap_follows_the_sitemaps_org_protocol(published):
    data = fetch(published.base + "sitemap.xml")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>") and len(data) < 50 * 1024 * 1024
    root = ET.fromstring(data)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    allowed = [f"{{{SITEMAP_NS}}}{name}" for name in ("loc", "lastmod", "changefreq", "priority")]
    urls = list(root)
    assert 0 < len(urls) <= 50_000
    for url in urls:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        tags = [child.tag for child in url]
        assert tags[0] == allowed[0] and tags.count(allowed[0]) == 1
        assert tags == sorted(tags, key=allowed.index), "children in schema order"
        loc = url[0].text
        assert loc.startswith(published.base) and 12 <= len(loc) <= 2048


def test_robots_txt_names_the_sitemap(published):
    robots = fetch(published.base + "robots.txt").decode()
    assert f"Sitemap: {published.base}sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots


def test_feed_parses_and_links_to_pages_that_exist(published):
    feed = feedparser.parse(fetch(published.base + "feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title.startswith("测试图集")
    assert {link.rel: link.href for link in feed.feed.links}["self"] == published.base + "feed.xml"
    titles = [entry.title for entry in feed.entries]
    # the mini atlas has two milestones (a chain's and a project's), newest first
    assert titles == ["面板工厂：一期竣工", "新型显示产业链：显示产业链首个项目投产"]
    assert [entry.updated for entry in feed.entries] == ["2023-09-01T00:00:00+08:00", "2023-07-01T00:00:00+08:00"]
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    for entry in feed.entries:
        assert entry.link.startswith(published.base)
        fetch(entry.link)
    assert page_links(fetch(published.base)).links.count(published.base + "feed.xml") == 1  # announced


def test_feed_lists_projects_in_the_order_git_added_them(tmp_path):
    content = copy_content(MINI, tmp_path / "content")
    later = content / "projects" / "fund.yaml"
    held_back = later.read_bytes()
    later.unlink()

    def git(*args: str, date: str | None = None) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": date or "", "GIT_COMMITTER_DATE": date or ""}
        subprocess.run(["git", "-C", str(content), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "first", date="2024-05-06T07:08:09+08:00")
    later.write_bytes(held_back)
    git("add", ".")
    git("commit", "-q", "-m", "second", date="2024-06-01T10:00:00+08:00")

    atlas = load_atlas(content)
    added = git_added_dates(p.path for p in atlas.projects)
    assert added["fund"] == "2024-06-01T10:00:00+08:00" and added["panel-plant"] == "2024-05-06T07:08:09+08:00"
    feed = feedparser.parse(render(atlas, UrlMode("published", "https://example.org/atlas/"))["feed.xml"])
    assert not feed.bozo
    assert feed.entries[0].title == "新收录项目：测试基金"
    assert feed.entries[0].link == "https://example.org/atlas/projects/fund/"
    assert feed.feed.updated == "2024-06-01T10:00:00+08:00"
    assert sum(entry.title.startswith("新收录项目") for entry in feed.entries) == len(atlas.projects)


def test_content_outside_git_has_no_added_dates(mini_content):
    atlas = load_atlas(mini_content)
    assert git_added_dates(p.path for p in atlas.projects) == {}


def test_404_page_works_at_any_depth(published, recorded_page):
    recorded = recorded_page()
    missing = published.base + "no/such/page/"
    body = (published.site / "404.html").read_bytes()
    recorded.page.route(missing, lambda route: route.fulfill(status=404, body=body,
                                                             content_type="text/html; charset=utf-8"))
    failed = []
    recorded.page.on("requestfailed", lambda request: failed.append(request.url))
    recorded.page.on("response", lambda r: r.status >= 400 and r.url != missing and failed.append(r.url))
    recorded.page.goto(missing)
    assert failed == []
    assert recorded.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    styled = recorded.page.evaluate("""() => Array.from(document.styleSheets)
        .some(s => s.href && s.href.includes('/atlas/static/css/atlas.') && s.cssRules.length > 0)""")
    assert styled, "the stylesheet loads even though the page sits three folders deep"
    recorded.page.click("a.site-name")
    assert recorded.page.url == published.base


def test_assets_are_named_by_content_hash(published):
    static = published.site / "static"
    for path in static.rglob("*"):
        if not path.is_file():
            continue
        name = path.relative_to(published.site).as_posix()
        if name in KEEP_NAMES:
            continue
        assert HASHED_NAME.search(name), name
        if not name.endswith(".css"):  # stylesheets are hashed after their url()s are rewritten
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            assert f".{digest}." in path.name, name
    leaflet_css = next(static.glob("vendor/leaflet/leaflet.*.css")).read_text(encoding="utf-8")
    assert "url(images/layers." in leaflet_css and "url(images/layers.png)" not in leaflet_css
    for page in published.site.rglob("*.html"):
        for link in page_links(page.read_bytes()).links:
            if "/static/" in link or link.startswith("static/"):
                assert HASHED_NAME.search(link.split("?")[0]), (page, link)


def test_changing_an_image_renames_the_stylesheet_that_draws_it():
    files = {"static/a.css": b".x { background: url('img/b.png') }", "static/img/b.png": b"one",
             "index.html": b"<html></html>"}
    renamed, manifest = fingerprint(files)
    assert manifest["static/img/b.png"] == hashed_name("static/img/b.png", b"one")
    css = renamed[manifest["static/a.css"]].decode()
    assert css == f".x {{ background: url('img/{manifest['static/img/b.png'].rsplit('/', 1)[1]}') }}"
    assert "index.html" in renamed and "static/a.css" not in renamed
    _, changed = fingerprint({**files, "static/img/b.png": b"two"})
    assert changed["static/a.css"] != manifest["static/a.css"]


def test_build_without_a_base_url_says_so_and_leaves_out_what_needs_one(tmp_path, mini_content):
    result = run_build("--content", str(mini_content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "note: no base URL" in result.stderr and "sitemap.xml" in result.stderr
    written = {p.name for p in (tmp_path / "site").iterdir()}
    assert not written & {"sitemap.xml", "feed.xml", "robots.txt", "404.html"}
    assert any(HASHED_NAME.search(p.name) for p in (tmp_path / "site" / "static" / "css").iterdir())
    quiet = run_build("--content", str(mini_content), "--out", str(tmp_path / "site"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_bad_base_url_is_a_usage_error(tmp_path, mini_content):
    result = run_build("--content", str(mini_content), "--out", str(tmp_path / "site"), "--base-url", "example.org")
    assert result.returncode == 2
    assert "error: 'example.org' is not an absolute http(s) address" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "site").exists()
