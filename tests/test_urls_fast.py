"""relative_url's string-only path gives exactly what the posixpath version gave, in every URL mode."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from atlas.render import urls
from atlas.render.urls import UrlMode, relative_url

MODES = (UrlMode("preview"), UrlMode("published", "https://example.org/atlas/"), UrlMode("published"),
         UrlMode("offline"), UrlMode("published", "https://example.org/").with_absolute_links())


def reference_url(target: str, current: str, mode: UrlMode, anchor: str | None = None) -> str:
    """relative_url as it was before the fast path: posixpath.relpath for every link."""
    fragment = f"#{anchor}" if anchor else ""
    if mode.absolute_links and mode.base_url:
        return (urls.absolute_url(target, mode) or "") + fragment
    rel = posixpath.relpath(target, posixpath.dirname(current) or ".")
    if not mode.explicit_index and (rel == "index.html" or rel.endswith("/index.html")):
        rel = rel[: -len("index.html")] or "./"
    return rel + fragment


def outcome(function, *args) -> tuple[str, str]:
    try:
        return "ok", function(*args)
    except ValueError as error:  # relpath refuses an empty path; both versions must refuse it alike
        return "error", type(error).__name__


# few names, so that generated pairs share folders as real pages do
PLAIN_SEGMENTS = st.sampled_from(["index.html", "chains", "parks", "en", "a", "x.csv", "...", ".hidden", "data"])
ODD_SEGMENTS = st.sampled_from(["", ".", "..", "index.html", "chains", "a"])
plain_paths = st.lists(PLAIN_SEGMENTS, min_size=1, max_size=5).map("/".join)
odd_paths = st.lists(st.one_of(PLAIN_SEGMENTS, ODD_SEGMENTS), min_size=0, max_size=5).map("/".join)
modes = st.sampled_from(MODES)
anchors = st.sampled_from([None, "", "map-h", "daily"])


@settings(max_examples=600, deadline=None)
@given(plain_paths, plain_paths, modes, anchors)
@example("index.html", "index.html", MODES[0], None)
@example("chains/index.html", "chains/x/index.html", MODES[3], "map")
def test_plain_paths_match_posixpath(target, current, mode, anchor):
    assert urls._plain_relative_path(target, current) is not None  # the fast path is the one taken
    assert relative_url(target, current, mode, anchor) == reference_url(target, current, mode, anchor)


@settings(max_examples=600, deadline=None)
@given(odd_paths, odd_paths, modes, anchors)
@example("/static/a.css", "chains/index.html", MODES[0], None)
@example("chains/", "chains/index.html", MODES[0], None)
@example("a/../b/index.html", "a/./index.html", MODES[3], None)
@example("", "index.html", MODES[0], None)
def test_unusual_paths_match_posixpath(target, current, mode, anchor):
    assert outcome(relative_url, target, current, mode, anchor) == outcome(reference_url, target, current, mode,
                                                                             anchor)


PREVIEW, OFFLINE = MODES[0], MODES[3]


@pytest.mark.parametrize("target, current, mode, anchor, expected", [
    ("chains/b/index.html", "chains/a/index.html", PREVIEW, None, "../b/"),  # sibling folder
    ("chains/a/map.csv", "chains/a/index.html", PREVIEW, None, "map.csv"),  # same folder
    ("chains/index.html", "index.html", PREVIEW, None, "chains/"),  # from the root page
    ("index.html", "index.html", PREVIEW, None, "./"),  # "index.html" at the root, linking itself
    ("index.html", "index.html", OFFLINE, None, "index.html"),
    ("index.html", "en/projects/p/index.html", PREVIEW, None, "../../../"),
    ("en/projects/p/index.html", "projects/p/index.html", PREVIEW, None, "../../en/projects/p/"),
    ("chains/a/b/c/index.html", "chains/index.html", OFFLINE, "top", "a/b/c/index.html#top"),  # deeper target
    ("chains/a/index.html", "chains/a/index.html", PREVIEW, "map-h", "./#map-h"),  # the current page
    ("chains/a/index.html", "chains/a/index.html", OFFLINE, "map-h", "index.html#map-h"),
    ("chains", "chains/index.html", PREVIEW, None, "."),  # the page's own folder as a path
    ("chains/index.html", "chains/a/index.html", MODES[4], "x", "https://example.org/chains/#x"),
])
def test_edge_cases(target, current, mode, anchor, expected):
    assert relative_url(target, current, mode, anchor) == expected
    assert reference_url(target, current, mode, anchor) == expected


def test_plain_paths_never_call_posixpath(monkeypatch):
    def refuse(*args):
        raise AssertionError("posixpath.relpath called for a plain path")

    monkeypatch.setattr(urls.posixpath, "relpath", refuse)
    assert relative_url("static/css/atlas.css", "en/chains/a/index.html", PREVIEW) == "../../../static/css/atlas.css"
    with pytest.raises(AssertionError):
        relative_url("static/../atlas.css", "index.html", PREVIEW)  # not plain: the posixpath fallback
