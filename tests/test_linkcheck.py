"""The link checker finds each kind of broken link, and `check` runs it over every output mode."""

from __future__ import annotations

import subprocess
import sys

import pytest

from atlas.linkcheck import check_folder, check_links
from atlas.pipeline import build
from tests.conftest import ROOT

BASE = "https://example.org/atlas/"


def page(*links: str, ids: tuple[str, ...] = ()) -> bytes:
    anchors = "".join(f'<h2 id="{i}">x</h2>' for i in ids)
    body = "".join(f'<a href="{link}">x</a>' for link in links)
    return f"<!DOCTYPE html><html><head></head><body>{anchors}{body}</body></html>".encode()


def reasons(files, **options) -> dict[str, str]:
    return {f"{b.page} {b.link}": b.reason for b in check_links(files, **options)}


def test_a_whole_site_that_links_well_has_nothing_to_report():
    files = {
        "index.html": page("chains/", "chains/x/#facts", "#top", "https://other.org/", "mailto:a@b.c", "?q=1",
                           ids=("top",)),
        "chains/index.html": page("../", "x/", "../index.html#top"),
        "chains/x/index.html": page("../../", "./#facts", "../../static/a.css", ids=("facts",)),
        "static/a.css": b"body { background: url(img/b.png) } .x { behavior: url(#default#VML) }",
        "static/img/b.png": b"png",
    }
    assert check_links(files) == []


@pytest.mark.parametrize("link, reason", [
    ("missing/", "missing/index.html does not exist"),
    ("chains/x/#nope", "chains/x/index.html has no element with id 'nope'"),
    ("#nope", "index.html has no element with id 'nope'"),
    ("chains", "folder link without a trailing slash"),
    ("/chains/", "root-relative link"),
    ("../../etc/passwd", "points outside the site"),
    ("static/gone.js", "static/gone.js does not exist"),
])
def test_each_kind_of_broken_link_is_named(link, reason):
    files = {"index.html": page(link), "chains/x/index.html": page(ids=("facts",)),
             "chains/index.html": page()}
    found = check_links(files)
    assert len(found) == 1 and found[0].link == link and reason in found[0].reason


def test_offline_links_must_name_index_html():
    files = {"index.html": page("chains/", "chains/index.html"), "chains/index.html": page()}
    found = check_links(files, directory_index=False)
    assert [(b.link, "file://" in b.reason) for b in found] == [("chains/", True)]


def test_absolute_links_under_the_base_url_are_checked():
    files = {"index.html": page(BASE + "chains/", BASE + "gone/", "https://example.org/elsewhere/"),
             "chains/index.html": page()}
    assert reasons(files, base_url=BASE) == {f"index.html {BASE}gone/": "gone/index.html does not exist"}


def test_scripts_stylesheets_forms_and_css_urls_are_checked():
    files = {
        "index.html": (b'<link rel="stylesheet" href="s.css"><script src="app.js"></script>'
                       b'<form action="search/"></form><img src="logo.png">'),
        "s.css": b".a { background: url('img/missing.png') }",
    }
    assert reasons(files) == {
        "index.html app.js": "app.js does not exist",
        "index.html search/": "search/index.html does not exist",
        "index.html logo.png": "logo.png does not exist",
        "s.css img/missing.png": "img/missing.png does not exist",
    }


def test_sitemap_feed_and_robots_addresses_must_exist():
    files = {
        "index.html": page(),
        "sitemap.xml": (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{BASE}</loc></url>'
                        f"<url><loc>{BASE}gone/</loc></url></urlset>").encode(),
        "feed.xml": f'<feed xmlns="http://www.w3.org/2005/Atom"><link href="{BASE}old.xml"/></feed>'.encode(),
        "robots.txt": f"User-agent: *\nSitemap: {BASE}sitemap.xml\n".encode(),
    }
    assert reasons(files, base_url=BASE) == {f"sitemap.xml {BASE}gone/": "gone/index.html does not exist",
                                             f"feed.xml {BASE}old.xml": "old.xml does not exist"}


def test_each_language_feed_is_checked():
    feed = '<feed xmlns="http://www.w3.org/2005/Atom"><link href="{}"/></feed>'
    files = {"index.html": page(), "en/index.html": page(),
             "feed.xml": feed.format(BASE).encode(), "en/feed.xml": feed.format(f"{BASE}en/gone/").encode()}
    assert reasons(files, base_url=BASE) == {f"en/feed.xml {BASE}en/gone/": "en/gone/index.html does not exist"}
    files["en/feed.xml"] = feed.format(f"{BASE}en/").encode()
    assert reasons(files, base_url=BASE) == {}


def test_the_english_feed_of_a_published_build_is_checked(mini_content):
    files = dict(build(mini_content, None, mode="published", base_url=BASE).files)
    assert check_links(files, base_url=BASE) == []
    feed = files["en/feed.xml"].decode("utf-8")
    entry = f"{BASE}en/projects/panel-plant/"
    assert entry in feed
    files["en/feed.xml"] = feed.replace(entry, f"{BASE}en/projects/no-such-project/").encode("utf-8")
    broken = {(b.page, b.link) for b in check_links(files, base_url=BASE)}
    assert ("en/feed.xml", f"{BASE}en/projects/no-such-project/") in broken


def test_check_folder_reads_a_written_site(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_bytes(page("a/", "b/"))
    (tmp_path / "a" / "index.html").write_bytes(page("../"))
    assert [b.link for b in check_folder(tmp_path)] == ["b/"]


# --- `python build.py check` ------------------------------------------------------------------------

def run_check(content) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "check", "--content", str(content)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_check_links_every_output_mode_of_good_content(mini_content):
    result = run_check(mini_content)
    assert result.returncode == 0, result.stderr
    assert "3 output modes, none broken" in result.stdout


def test_check_reports_a_broken_link_in_an_entry_body(mini_content):
    entry = mini_content / "projects" / "panel-plant.md"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("面板工厂的说明。", "面板工厂的说明，见[园区](../../parks/no-such-park/)。"),
                     encoding="utf-8")
    result = run_check(mini_content)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    for mode in ("published", "preview"):
        assert (f"{mode}: projects/panel-plant/index.html: link '../../parks/no-such-park/': "
                "parks/no-such-park/index.html does not exist") in lines
    assert "Traceback" not in result.stderr
    assert lines[-1].endswith("broken links found.")
