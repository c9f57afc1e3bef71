"""The hostile corpus in a real headless Chromium: whatever a reader does, no editor's text runs as code.

Pages are built from the same entries as tests/test_hostile.py (every payload in every text field). On each
page with a map the test waits for it, hovers and clicks every marker (tooltips and popups are drawn then), runs
a search, and then asserts that the ``window.__pwned`` sentinel every payload would set is still undefined,
that no dialog opened, and that no element with an event handler (or a script holding a payload) ever
entered the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from atlas.pipeline import build
from tests.test_hostile import PAYLOADS, prefix_of, write_hostile_content

pytestmark = pytest.mark.browser

PAYLOAD_PAGE = re.compile(r"(^|/)h\d\d-")
MARKERS_ON_MAP = """() => Object.values(AtlasMaps.registry).flatMap(entry => {
    entry.map.getContainer().scrollIntoView({block: "center"});
    const box = entry.map.getContainer().getBoundingClientRect();
    return entry.markers.filter(marker => marker._map).map(marker => {
        const point = entry.map.latLngToContainerPoint(marker.getLatLng());
        return [box.left + point.x, box.top + point.y, marker.atlasPlace.kind];
    });
})"""
# Installed before any script of the page: records every element that ever enters the document with an
# event handler or srcdoc attribute, or as a script holding an editor's words, even one shown only for a
# moment (a tooltip that closed again). A script inserted as HTML does not run, but it shows the hole.
WATCH_INSERTIONS = """window.__inserted = [];
new MutationObserver(records => records.forEach(record => record.addedNodes.forEach(node => {
    if (node.nodeType !== 1) { return; }
    [node, ...node.querySelectorAll("*")].forEach(element => {
        [...element.attributes].forEach(attribute => {
            if (attribute.name.startsWith("on") || attribute.name === "srcdoc") {
                window.__inserted.push(element.tagName + " " + attribute.name);
            }
        });
        if (element.tagName === "SCRIPT" && element.type !== "application/json" && !element.src &&
            element.textContent.includes("pwned")) { window.__inserted.push("SCRIPT"); }
    });
}))).observe(document, {childList: true, subtree: true});"""


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory) -> Path:
    workspace = tmp_path_factory.mktemp("hostile-browser")
    out = workspace / "site"
    build(write_hostile_content(workspace / "content"), out, mode="offline")
    return out


class Visit:
    """One browser tab that records dialogs; ``open`` loads a page and does what a curious reader would."""

    def __init__(self, recorded):
        self.recorded = recorded
        self.page = recorded.page
        self.dialogs: list[str] = []
        self.hovered: list[str] = []  # kinds of the markers hovered and clicked on the last page
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.add_init_script(WATCH_INSERTIONS)

    def open(self, url: str, wait_for: str | None = None) -> dict:
        page = self.page
        page.goto(url)
        maps = page.locator(".atlas-map").count()
        self.hovered = []
        if maps:
            page.wait_for_function(f"() => document.querySelectorAll('.atlas-map[data-ready=true]').length === {maps}",
                                   timeout=5000)
            for x, y, kind in page.evaluate(MARKERS_ON_MAP):
                self.hovered.append(kind)
                page.mouse.move(x, y)  # the tooltip
                page.mouse.click(x, y)  # the popup, closed again so that it covers no other marker
                page.evaluate("() => Object.values(AtlasMaps.registry).forEach(entry => entry.map.closePopup())")
        if wait_for:
            page.wait_for_selector(wait_for, timeout=5000)
        page.wait_for_timeout(50)  # a broken image's onerror fires after its load fails
        assert page.url == url, "a click left the page"
        return {"pwned": page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)"),
                "dialogs": list(self.dialogs), "inserted": page.evaluate("() => window.__inserted")}


CLEAN = {"pwned": None, "dialogs": [], "inserted": []}


@pytest.mark.parametrize("index", range(len(PAYLOADS)), ids=[p["id"] for p in PAYLOADS])
def test_no_payload_runs_on_its_chain_map(hostile_pages: Path, recorded_page, index: int):
    """Maps are where script puts an entry's text on screen: tooltips, popups, the list of places.

    A payload's chain page maps its park (an area) and its project (a site) apart, so both markers are
    hovered and clicked; project and park pages draw the same with the same code, and other pages hold
    the text as static HTML (tests/test_hostile.py) or list it all (the test below).
    """
    visit = Visit(recorded_page())
    path = f"chains/{prefix_of(index)}-chain/index.html"
    assert visit.open((hostile_pages / path).as_uri()) == CLEAN
    assert sorted(visit.hovered) == ["parks", "projects"]
    assert visit.recorded.errors == []


def test_no_payload_runs_on_the_pages_that_list_them_all(hostile_pages: Path, recorded_page):
    visit = Visit(recorded_page())
    pages = sorted(p for p in hostile_pages.rglob("*.html")
                   if not PAYLOAD_PAGE.search(p.relative_to(hostile_pages).as_posix()))
    assert {"index.html", "map/index.html", "projects/index.html"} <= {
        p.relative_to(hostile_pages).as_posix() for p in pages}
    for path in pages:
        assert visit.open(path.as_uri()) == CLEAN, path.relative_to(hostile_pages).as_posix()
    assert visit.recorded.errors == []


@pytest.mark.parametrize("query", ["pwned", *(p["text"] for p in PAYLOADS[:4])], ids=lambda q: q[:20])
def test_searching_for_payloads_runs_none_of_them(hostile_pages: Path, recorded_page, query: str):
    """The query itself is shown back on the page, and 'pwned' finds every payload's entries."""
    visit = Visit(recorded_page())
    url = (hostile_pages / "search/index.html").as_uri() + "?q=" + quote(query)
    assert visit.open(url, wait_for=".search-results li" if query == "pwned" else ".search-status") == CLEAN
    assert visit.recorded.errors == []
