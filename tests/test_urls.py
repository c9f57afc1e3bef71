"""URL modes × page depths (like MkDocs' build_tests): every mode links every depth correctly."""

from __future__ import annotations

import re

import pytest

from atlas.linkcheck import check_links, page_links
from atlas.pipeline import load_atlas, render, url_mode
from atlas.render.urls import BaseUrlError, UrlMode, absolute_url, normalise_base_url, relative_url
from tests.conftest import MINI, copy_content

BASE = "https://example.org/atlas/"
PUBLISHED = UrlMode("published", BASE)
PRETTY = UrlMode("preview")
OFFLINE = UrlMode("offline")
ABSOLUTE = PUBLISHED.with_absolute_links()

HOME, CHAINS, CHAIN, CSS = "index.html", "chains/index.html", "chains/display/index.html", "static/css/atlas.css"
PAGES = {0: HOME, 1: CHAINS, 2: CHAIN}

# (depth of the linking page) -> links to home, the chains index, one chain, a stylesheet
EXPECTED = {
    "pretty": {
        0: ("./", "chains/", "chains/display/", "static/css/atlas.css"),
        1: ("../", "./", "display/", "../static/css/atlas.css"),
        2: ("../../", "../", "./", "../../static/css/atlas.css"),
    },
    "offline": {
        0: ("index.html", "chains/index.html", "chains/display/index.html", "static/css/atlas.css"),
        1: ("../index.html", "index.html", "display/index.html", "../static/css/atlas.css"),
        2: ("../../index.html", "../index.html", "index.html", "../../static/css/atlas.css"),
    },
    "absolute": {depth: (BASE, BASE + "chains/", BASE + "chains/display/", BASE + CSS) for depth in (0, 1, 2)},
}
MODES = {"pretty": (PRETTY, PUBLISHED, UrlMode("published")), "offline": (OFFLINE,), "absolute": (ABSOLUTE,)}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
@pytest.mark.parametrize("depth", [0, 1, 2])
def test_relative_url_matrix(kind, depth):
    for mode in MODES[kind]:
        links = tuple(relative_url(target, PAGES[depth], mode) for target in (HOME, CHAINS, CHAIN, CSS))
        assert links == EXPECTED[kind][depth], mode


def test_anchor_is_appended_in_every_mode():
    assert relative_url("sources/index.html", CHAIN, PRETTY, "daily") == "../../sources/#daily"
    assert relative_url("sources/index.html", CHAIN, OFFLINE, "daily") == "../../sources/index.html#daily"
    assert relative_url("sources/index.html", CHAIN, ABSOLUTE, "daily") == BASE + "sources/#daily"
    assert relative_url(CHAIN, CHAIN, PRETTY, "map-h") == "./#map-h"


@pytest.mark.parametrize("base, expected", [
    ("https://example.org", "https://example.org/"),
    ("https://example.org/atlas", "https://example.org/atlas/"),
    ("https://example.org/a/b/", "https://example.org/a/b/"),
    ("http://127.0.0.1:8123/atlas", "http://127.0.0.1:8123/atlas/"),
])
def test_base_url_is_normalised(base, expected):
    assert normalise_base_url(base) == expected


@pytest.mark.parametrize("bad", ["example.org/atlas", "/atlas/", "ftp://example.org/", "https://x.org/?a=1",
                                 "https://x.org/#top", "https://"])
def test_unusable_base_url_is_refused(bad):
    with pytest.raises(BaseUrlError, match="address"):
        normalise_base_url(bad)


@pytest.mark.parametrize("base", ["https://example.org/", "https://example.org/atlas/", "https://x.org/a/b/"])
def test_absolute_urls_are_pretty_and_under_the_base(base):
    mode = UrlMode("published", base)
    assert absolute_url(HOME, mode) == base
    assert absolute_url(CHAIN, mode) == base + "chains/display/"
    assert absolute_url("sitemap.xml", mode) == base + "sitemap.xml"
    assert absolute_url(CHAIN, PRETTY) is None


def test_build_uses_the_base_url_of_atlas_yaml_unless_given(mini_content):
    atlas = load_atlas(mini_content)
    assert url_mode(atlas, "published").base_url is None
    assert url_mode(atlas, "published", "https://a.org/x").base_url == "https://a.org/x/"
    settings = (mini_content / "atlas.yaml").read_text(encoding="utf-8")
    (mini_content / "atlas.yaml").write_text(settings + "base_url: https://b.org/atlas\n", encoding="utf-8")
    configured = load_atlas(mini_content)
    assert url_mode(configured, "published").base_url == "https://b.org/atlas/"
    assert url_mode(configured, "published", "https://a.org/").base_url == "https://a.org/"
    assert url_mode(configured, "offline") == OFFLINE


# --- the same matrix on a rendered site --------------------------------------------------------------

RENDERED = {"published": PUBLISHED, "published-no-base": UrlMode("published"), "preview": PRETTY,
            "offline": OFFLINE}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    atlas = load_atlas(copy_content(MINI, tmp_path_factory.mktemp("urls") / "content"))
    return {name: render(atlas, mode) for name, mode in RENDERED.items()}


def home_link(html: bytes) -> str:
    return re.search(rb'<a class="site-name" href="([^"]*)"', html).group(1).decode()


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered_pages_link_home_from_every_depth(sites, name):
    kind = "offline" if name == "offline" else "pretty"
    for depth, page in PAGES.items():
        assert home_link(sites[name][page]) == EXPECTED[kind][depth][0], (name, page)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_no_broken_link_in_any_mode(sites, name):
    mode = RENDERED[name]
    assert check_links(sites[name], mode.base_url, directory_index=not mode.explicit_index) == []


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_internal_links_are_page_relative(sites, name):
    for path, data in sites[name].items():
        if path.endswith(".html") and path != "404.html":
            for link in page_links(data).links:
                assert not link.startswith("/"), (path, link)
                if name == "offline":
                    assert not link.startswith(BASE) and not link.endswith("/"), (path, link)


def test_canonical_is_absolute_on_every_published_page_only(sites):
    canonical = re.compile(rb'<link rel="canonical" href="([^"]+)">')
    for path, data in sites["published"].items():
        if path.endswith(".html"):
            found = canonical.findall(data)
            expected = [] if path == "404.html" else [absolute_url(path, PUBLISHED).encode()]
            assert found == expected, path
    for name in ("published-no-base", "preview", "offline"):
        assert not any(canonical.search(data) for path, data in sites[name].items() if path.endswith(".html"))


def test_site_files_need_a_base_url(sites):
    extras = {"sitemap.xml", "robots.txt", "feed.xml", "404.html"}
    assert extras <= set(sites["published"])
    for name in ("published-no-base", "preview", "offline"):
        assert not extras & set(sites[name]), name
