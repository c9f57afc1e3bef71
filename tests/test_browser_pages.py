"""Pages in a real headless Chromium: maps draw one marker per placed entry, tables sort and filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.pipeline import build, load_atlas
from tests.conftest import QINGDAO_CONTENT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def qingdao_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("qingdao") / "site"
    build(QINGDAO_CONTENT, out, mode="offline")
    return out


def markers_on(page, dom_id: str) -> list[dict]:
    return page.evaluate(f"""() => AtlasMaps.registry[{dom_id!r}].markers.map(m => m.atlasPlace)""")


def map_dom_id(page) -> str:
    return page.eval_on_selector(".atlas-map", "el => el.id")


@pytest.mark.parametrize("path", ["index.html", "chains/new-display/index.html",
                                  "parks/virtual-reality-park/index.html", "map/index.html"])
def test_map_has_one_marker_per_placed_entry(qingdao_site, recorded_page, path):
    atlas = load_atlas(QINGDAO_CONTENT)
    slug = path.split("/")[1] if "/" in path and path.count("/") == 2 else None
    if path.startswith("chains/"):
        parks, projects = atlas.parks_of_chain.get(slug, ()), atlas.projects_of_chain.get(slug, ())
    elif path.startswith("parks/"):
        parks, projects = (atlas.park_by_slug[slug],), atlas.projects_of_park.get(slug, ())
    else:
        parks, projects = atlas.parks, atlas.projects
    expected = sorted([("parks", p.slug) for p in parks if atlas.placement("parks", p.slug)]
                      + [("projects", p.slug) for p in projects if atlas.placement("projects", p.slug)])
    assert expected, "the test needs a page with placed entries"

    recorded = recorded_page()
    recorded.page.goto((qingdao_site / path).as_uri())
    recorded.page.wait_for_function("() => window.AtlasMaps && Object.keys(AtlasMaps.registry).length > 0")
    places = markers_on(recorded.page, map_dom_id(recorded.page))
    assert sorted((p["kind"], p["slug"]) for p in places) == expected
    # the text alternative below the map lists the same places (a table on the full map)
    listed = recorded.page.eval_on_selector_all(".places li, .places tbody tr", "items => items.length")
    assert listed == len(expected)
    assert recorded.errors == []
    assert recorded.foreign_requests == []


def test_popup_opens_and_its_link_resolves(qingdao_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto((qingdao_site / "parks/virtual-reality-park/index.html").as_uri())
    page.wait_for_function("() => window.AtlasMaps && Object.keys(AtlasMaps.registry).length > 0")
    dom_id = map_dom_id(page)
    href = page.evaluate(f"""() => {{
        const entry = AtlasMaps.registry[{dom_id!r}];
        const marker = entry.markers.find(m => m.atlasPlace.kind === 'projects');
        entry.layer.zoomToShowLayer ? null : null;
        marker.openPopup ? marker.openPopup() : null;
        return marker.getPopup().getContent().querySelector('a').getAttribute('href');
    }}""")
    assert href.endswith("/index.html")
    target = (qingdao_site / "parks/virtual-reality-park" / href).resolve()
    assert target.is_file(), href
    assert recorded.errors == []


def test_project_table_sorts_and_filters(qingdao_site, recorded_page):
    recorded = recorded_page()
    page = recorded.page
    page.goto((qingdao_site / "projects/index.html").as_uri())
    total = page.eval_on_selector_all("#all-projects tbody tr", "rows => rows.length")
    page.select_option("select[data-filter=status]", "in_operation")
    visible = page.eval_on_selector_all("#all-projects tbody tr:not([hidden])", "rows => rows.length")
    atlas = load_atlas(QINGDAO_CONTENT)
    assert visible == sum(1 for p in atlas.projects if p.status == "in_operation") < total
    page.select_option("select[data-filter=status]", "")
    page.click("#all-projects thead th:last-child button")  # investment
    page.click("#all-projects thead th:last-child button")  # descending
    first = page.eval_on_selector("#all-projects tbody tr th a", "a => a.textContent")
    largest = max((p for p in atlas.projects if p.investment_yi is not None), key=lambda p: p.investment_yi)
    assert first == largest.name
    assert recorded.errors == []


def test_pages_fit_a_phone_screen(qingdao_site, recorded_page):
    recorded = recorded_page(viewport={"width": 360, "height": 740})
    page = recorded.page
    for path in ("index.html", "projects/index.html", "parks/new-display-park/index.html",
                 "projects/boe-qingdao-module-plant/index.html"):
        page.goto((qingdao_site / path).as_uri())
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} overflows a 360 px screen ({width} px)"
