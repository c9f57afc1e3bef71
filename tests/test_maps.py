"""Maps without a browser: datum conversion, how each precision is drawn, local assets only, the shared places
script and each map's data block."""

from __future__ import annotations

import json
import posixpath
import re

import folium
import pytest

from atlas.cli import main
from atlas.pipeline import build, load_atlas
from atlas.render import basemap, fingerprint, maps, site, views
from atlas.render.assets import VENDOR_FILES
from atlas.render.text import CHINESE
from atlas.render.urls import UrlMode
from tests.conftest import QINGDAO_CONTENT

AREA_PROJECT = """name: 范围位置项目
chain: finance
status: planning
location:
  precision: area
  lat: 36.3
  lon: 120.05
  radius_m: 800
  district: 胶州市
  source: test-daily
  quote: 位于某镇一带
sources:
  - source: test-daily
    quote: 范围位置项目
"""


@pytest.fixture(autouse=True)
def fresh_map_caches():
    """build_map is memoised per spec; tests that patch Folium classes must not see earlier renders."""
    maps.build_map.cache_clear()
    site._fragment.cache_clear()
    site._frame.cache_clear()
    yield
    maps.build_map.cache_clear()
    site._fragment.cache_clear()
    site._frame.cache_clear()


def data_blocks(html: str) -> list[dict]:
    return [json.loads(text) for text in re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>',
                                                   html, re.S)]


def with_map_scripts(files: dict[str, bytes], page: str) -> str:
    """A page's HTML followed by the Folium scripts of its maps (files of their own, under static/maps/folium/)."""
    html = files[page].decode()
    links = [link for link in re.findall(r'<script src="([^"]+)"', html) if "/maps/folium/" in link]
    return "\n".join([html] + [files[posixpath.normpath(posixpath.join(posixpath.dirname(page), link))].decode()
                                for link in links])


def places_of(files: dict[str, bytes], page: str, datum: str = basemap.WGS84) -> list[dict]:
    [block] = re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', files[page].decode(), re.S)
    return maps.decode_payload(block, maps.places_script_in(files, datum))


# --- datum ------------------------------------------------------------------------------------------

def test_wgs84_to_gcj02_on_a_published_test_point():
    # googollee/eviltransform's test vector (Shanghai): WGS-84 (31.1774276, 121.5272106) is GCJ-02
    # (31.17530398364597, 121.531541859215)
    lat, lon = basemap.to_datum((31.1774276, 121.5272106), basemap.GCJ02)
    assert lat == pytest.approx(31.175304, abs=1e-6)
    assert lon == pytest.approx(121.531542, abs=1e-6)
    assert basemap.to_datum((31.1774276, 121.5272106), basemap.WGS84) == (31.1774276, 121.5272106)


def test_converted_district_outlines_match_the_published_gcj02_file():
    """Converting every WGS-84 vertex lands within a metre of the GCJ-02 original it was derived from."""
    geo = load_atlas(QINGDAO_CONTENT).content.geo
    converted = basemap.convert_collection(geo.districts_geojson, basemap.GCJ02)
    published = basemap.districts_in(geo, basemap.GCJ02)

    def vertices(collection):
        def walk(coordinates):
            if isinstance(coordinates[0], (int, float)):
                yield coordinates
            else:
                for part in coordinates:
                    yield from walk(part)
        return [v for feature in collection["features"] for v in walk(feature["geometry"]["coordinates"])]
    ours, theirs = vertices(converted), vertices(published)
    assert len(ours) == len(theirs) > 5000
    worst = max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(ours, theirs))
    assert worst < 2e-5  # degrees: about 2 m, and the shift itself is about 500 m
    assert max(abs(a[0] - b[0]) for a, b in zip(vertices(geo.districts_geojson), theirs)) > 3e-3


# --- how each precision is drawn --------------------------------------------------------------------

@pytest.mark.parametrize("precision, radius, rule", [
    ("site", None, "point"),
    ("area", 800, "circle"),
    ("area", None, "point"),  # no extent given: a marker, and the words say "approximate area"
    ("district", None, "district"),
    ("city", None, None),  # "somewhere in Qingdao" is not put on a map
])
def test_precision_decides_the_drawing(precision, radius, rule):
    assert maps.drawing_rule(precision, radius) == rule


def test_places_carry_their_drawing_and_say_their_precision(mini_content, write_entry):
    write_entry("projects/area-project.yaml", AREA_PROJECT)
    atlas = load_atlas(mini_content)
    records = views.place_index(atlas).records
    assert records[("projects", "site-project")]["draw"] == "point"
    assert records[("projects", "area-project")]["draw"] == "circle"
    assert records[("projects", "area-project")]["radius_m"] == 800
    district = records[("projects", "photo-caption")]
    assert district["draw"] == "district" and district["district"] == "黄岛区"
    assert district["list_note"].endswith(" · 位置：黄岛区 · 区（市）级，大致位置")
    via_park = records[("projects", "panel-plant")]
    assert via_park["via"] == "测试显示产业园" and "按所在园区 测试显示产业园" in via_park["list_note"]
    assert ("projects", "fund") not in records  # no location at all


# --- local assets only ------------------------------------------------------------------------------

def test_every_map_asset_is_shipped_from_npm():
    for element in (maps.AtlasMap, maps.Places):
        for _, path in element.default_js + element.default_css:
            assert path.startswith("vendor/") and path.removeprefix("vendor/") in VENDOR_FILES, path
    fragment = maps.build_map(maps.MapSpec("test-map", (36.2, 120.3), 9, "osm"))
    assert fragment.js[:2] == ("vendor/leaflet/leaflet.js", "vendor/leaflet.markercluster/leaflet.markercluster.js")
    assert "jquery" not in " ".join(fragment.js + fragment.css).lower()


def test_an_unmapped_asset_fails_the_map(monkeypatch):
    monkeypatch.setattr(maps.Places, "default_js",
                        [*maps.Places.default_js, ("jquery", "https://code.jquery.com/jquery-3.7.1.min.js")])
    with pytest.raises(maps.AssetError, match=r"https://code\.jquery\.com/jquery-3\.7\.1\.min\.js.*package\.json"):
        maps.build_map(maps.MapSpec("test-map", (36.2, 120.3), 9))


def test_folium_defaults_and_icon_would_drag_in_cdn_assets_and_are_refused():
    # folium.Icon relies on the awesome-markers, Bootstrap and Font Awesome files of folium.Map's default lists
    fmap = folium.Map(location=[36.2, 120.3], tiles=None)
    folium.Marker([36.2, 120.3], icon=folium.Icon(color="red")).add_to(fmap)
    root = fmap.get_root()
    root.render()
    with pytest.raises(maps.AssetError, match="does not ship"):
        maps._local_assets(root)
    # AtlasMap lists Leaflet alone, and no map of ours uses folium.Icon
    assert maps.AtlasMap.default_js == [("leaflet", "vendor/leaflet/leaflet.js")]
    assert maps.AtlasMap.default_css == [("leaflet_css", "vendor/leaflet/leaflet.css")]
    assert "AwesomeMarkers" not in maps.build_map(maps.MapSpec("test-map", (36.2, 120.3), 9, "osm")).script


def test_the_build_stops_with_a_clear_message_on_an_unmapped_asset(mini_content, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(maps.Places, "default_css",
                        [*maps.Places.default_css, ("bootstrap", "https://cdn.example.org/bootstrap.min.css")])
    out = tmp_path / "site"
    code = main(["build", "--content", str(mini_content), "--out", str(out), "--quiet"])
    error = capsys.readouterr().err
    assert code == 1
    assert error.startswith("error: a map would load https://cdn.example.org/bootstrap.min.css, which the site "
                            "does not ship")
    assert "Traceback" not in error
    assert not out.exists()


def test_map_pages_reference_only_files_the_build_wrote(mini_content):
    files = build(mini_content, None, mode="offline").files
    for page in ("index.html", "map/index.html", "parks/display-park/index.html", "projects/site-project/index.html",
                 "chains/display/index.html"):
        html = files[page].decode("utf-8")
        links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assets = [link for link in links if "static/" in link]
        assert any("leaflet.js" in link for link in assets) and any("atlas-map.js" in link for link in assets)
        for link in assets:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
            assert target in files, f"{page} links {link}, which the build did not write"
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html.split("<main", 1)[0]), page


# --- the data block ---------------------------------------------------------------------------------

def test_one_data_block_per_map_and_no_statement_per_marker(mini_content):
    files = build(mini_content, None, mode="offline").files
    small = files["projects/site-project/index.html"].decode()
    full = files["map/index.html"].decode()
    assert len(data_blocks(full)) == 1 and len(data_blocks(small)) == 1
    [link] = [link for link in re.findall(r'<script src="([^"]+)"', full) if "/maps/folium/" in link]
    script = files[posixpath.normpath(posixpath.join("map", link))].decode()
    assert script.count("L.map(") == 1 and "AtlasMaps.places(" in script
    # the Folium part is the same size whatever the number of places: places are data, not code
    assert "circleMarker" not in script and "L.marker" not in script
    assert len(script) < 2500


def test_a_maps_folium_script_is_one_file_every_page_with_that_map_loads(mini_content):
    files = build(mini_content, None, mode="published").files
    pages = [name for name in files if name.endswith(".html") and b'class="atlas-map' in files[name]]
    assert {"projects/site-project/index.html", "en/projects/site-project/index.html"} <= set(pages)
    loaded: dict[str, set[str]] = {}
    for page in pages:
        html = files[page].decode()
        assert "<script>" not in html and '<script charset="utf-8">' not in html, f"{page} has an inline script"
        [dom_id] = re.findall(r'class="atlas-map[^"]*" id="([^"]+)"', html)
        [link] = [link for link in re.findall(r'<script src="([^"]+)"', html) if "/maps/folium/" in link]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
        assert f'var {dom_id} = L.map(' in files[target].decode(), page  # drawn into this page's element
        loaded.setdefault(page.removeprefix("en/").split("/")[0], set()).add(target)
    # one file per map, shared by both languages; published: a content-hashed name, so a CDN may keep it
    assert all(len(targets) == 1 for targets in loaded.values()), loaded
    assert all(re.fullmatch(r"static/maps/folium/[a-z-]+\.[0-9a-f]{10}\.js", target)
               for targets in loaded.values() for target in targets)


def test_data_block_round_trips_and_links_follow_the_url_mode(mini_content):
    atlas = load_atlas(mini_content)
    for mode, link in (("offline", "../projects/site-project/index.html"), ("preview", "../projects/site-project/")):
        files = build(mini_content, None, mode=mode).files
        html = files["map/index.html"].decode()
        [block] = data_blocks(html)
        places = places_of(files, "map/index.html")
        assert block["places"] == "all"
        assert {(p["kind"], p["slug"]) for p in places} == set(views.place_index(atlas).records)
        site_project = next(p for p in places if p["slug"] == "site-project")
        assert (site_project["lat"], site_project["lon"]) == (36.07, 120.38)
        assert site_project["status"] == "under_construction" and site_project["investment"] == "3.2 亿元"
        assert block["href"]["projects"].replace("@", "site-project") == link
        assert f'href="{link}"' in html  # the table row links the same page


def test_amap_tiles_move_every_point_and_outline_to_gcj02(mini_content):
    settings = mini_content / "atlas.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("tiles: none", "tiles: amap"), encoding="utf-8")
    files = build(mini_content, None, mode="preview").files
    html = with_map_scripts(files, "projects/site-project/index.html")
    [place] = places_of(files, "projects/site-project/index.html", basemap.GCJ02)
    assert (place["lat"], place["lon"]) == basemap.to_datum((36.07, 120.38), basemap.GCJ02) != (36.07, 120.38)
    assert "geo/qingdao-geo.gcj02.js" in html and "geo/qingdao-geo.js" not in html
    assert "maps/places.gcj02.js" in html and "static/maps/places.js" not in files  # only the datum in use
    assert "https://webrd0{s}.is.autonavi.com/appmaptile?" in html and "amap.com" in html and "AutoNavi" in html
    gcj = json.loads(files["static/geo/qingdao-geo.gcj02.js"].decode().removeprefix("window.ATLAS_GEO = ")[:-2])
    wgs = json.loads(files["static/geo/qingdao-geo.js"].decode().removeprefix("window.ATLAS_GEO = ")[:-2])
    assert gcj["labels"]["黄岛区"]["at"] == list(basemap.to_datum(tuple(wgs["labels"]["黄岛区"]["at"]), basemap.GCJ02))
    assert gcj["coastline"] != wgs["coastline"] and gcj["districts"] != wgs["districts"]
    # the offline bundle has no tiles, so it stays in WGS-84
    offline = build(mini_content, None, mode="offline").files
    assert places_of(offline, "projects/site-project/index.html")[0]["lat"] == 36.07
    assert "autonavi" not in with_map_scripts(offline, "projects/site-project/index.html")


def test_osm_tiles_carry_their_credit(mini_content):
    settings = mini_content / "atlas.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("tiles: none", "tiles: osm"), encoding="utf-8")
    html = with_map_scripts(build(mini_content, None, mode="preview").files, "index.html")
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert 'OpenStreetMap\\u003c/a\\u003e contributors' in html or "OpenStreetMap</a> contributors" in html
    assert "https://www.openstreetmap.org/copyright" in html


def test_full_map_filters_count_each_layer_and_status(mini_content):
    html = build(mini_content, None, mode="offline").files["map/index.html"].decode()
    layers = dict(re.findall(r'name="layer" value="([^"]+)" checked> [^<]+ <span class="count">（(\d+)）', html))
    statuses = dict(re.findall(r'name="status" value="([^"]+)" checked> [^<]+ <span class="count">（(\d+)）', html))
    # parks: display-park (unplaced-park has no location); display: backlight, panel-plant (via park), site-project
    assert layers == {"parks": "1", "display": "3", "none": "1"}
    assert statuses == {"signed": "1", "under_construction": "1", "in_operation": "1", "unspecified": "1"}
    assert '<table class="places">' in html and html.count("<tr><th><a href=") == 5


def test_legend_shows_only_what_the_map_shows(mini_content, write_entry):
    write_entry("projects/area-project.yaml", AREA_PROJECT)
    files = build(mini_content, None, mode="offline").files
    single = files["projects/site-project/index.html"].decode()
    keys = re.findall(r'class="key key-([a-z]+)"', single)
    assert keys == ["building", "emerging"]
    full = re.findall(r'class="key key-([a-z]+)"', files["map/index.html"].decode())
    assert full == ["park", "early", "building", "done", "unknown", "emerging", "unstated", "none", "circle",
                    "district", "cluster"]


def test_a_long_text_alternative_is_left_to_the_script(mini_content, monkeypatch):
    monkeypatch.setattr(site, "TEXT_IN_HTML_LIMIT", 2)
    html = build(mini_content, None, mode="offline").files["map/index.html"].decode()
    assert 'data-fill="script"' in html and "<tr><th><a href=" not in html
    assert re.search(r'<noscript>.*href="\.\./projects/index\.html".*</noscript>', html)


def test_same_input_same_map_html(mini_content):
    first = build(mini_content, None, mode="offline").files
    maps.build_map.cache_clear()
    views._PLACES.clear()
    second = build(mini_content, None, mode="offline").files
    for page in ("index.html", "map/index.html", "parks/display-park/index.html"):
        assert first[page] == second[page]
    assert re.search(r'id="map_home_map"', first["index.html"].decode())


def test_synthetic_atlas_for_benchmarks_places_every_precision():
    from bench.synthetic import synthetic_atlas

    atlas = synthetic_atlas(300)
    records = views.place_index(atlas).records
    precisions = {record["precision"] for record in records.values()}
    assert precisions == {"site", "area", "district"}
    assert any(record["via"] for record in records.values())
    assert len(records) < len(atlas.projects) + len(atlas.parks)  # city-only projects stay off the map
    geo = atlas.content.geo
    for record in records.values():
        if record["precision"] == "site":
            assert basemap.district_at(geo, record["lat"], record["lon"]) == record["district"]


def test_full_map_page_of_a_big_atlas_stays_small():
    from bench.synthetic import synthetic_atlas

    atlas = synthetic_atlas(3000)
    request = site.map_route(atlas, CHINESE).context["maps"][0]
    view = site.map_view(atlas, request, "map/index.html", UrlMode("offline"), CHINESE)
    assert not view.text_in_html
    assert len(view.data.encode()) < 2000  # the places themselves are in the shared script
    script = views.places_files(atlas, [basemap.WGS84])["static/maps/places.js"]
    assert len(script) < 120 * 3000  # about 100 bytes per place
    assert len(maps.decode_payload(view.data, script)) == len(view.places)



def test_the_home_map_and_the_full_map_share_one_selection_of_their_places():
    """Both show every place: what follows from the places alone is worked out once per language, and each page
    still gets its own links and settings."""
    from bench.synthetic import synthetic_atlas

    atlas, mode = synthetic_atlas(300), UrlMode("offline")
    index = views.place_index(atlas)
    home = site.map_view(atlas, site.home_route(atlas, CHINESE).context["maps"][0], "index.html", mode, CHINESE)
    full = site.map_view(atlas, site.map_route(atlas, CHINESE).context["maps"][0], "map/index.html", mode, CHINESE)
    assert home.places is full.places and home.legend is full.legend
    assert len(index._selections) == 1
    assert len(home.places) + len(home.unmapped) == len(atlas.parks) + len(atlas.projects)
    assert json.loads(home.data)["places"] == json.loads(full.data)["places"] == "all"
    assert json.loads(home.data)["href"] != json.loads(full.data)["href"]  # links from each page's own folder
    assert home.unmapped[0][0] != full.unmapped[0][0]
    assert views.map_legend(home.places) == home.legend

# --- one shared places script -----------------------------------------------------------------------

MAP_PAGES = ("index.html", "map/index.html", "parks/display-park/index.html", "projects/site-project/index.html",
             "chains/display/index.html")


@pytest.mark.parametrize("mode", ["offline", "preview", "published"])
def test_every_map_page_loads_the_one_shared_places_script(mini_content, mode):
    files = build(mini_content, None, mode=mode, base_url="https://example.org/atlas/" if mode == "published"
                  else None).files
    scripts = sorted(name for name in files if name.startswith("static/maps/places"))
    name = next(n for n in scripts if files[n] == maps.places_script_in(files))  # the primary language's
    if mode == "published":  # cache-safe: the name carries the hash of the bytes
        assert re.fullmatch(r"static/maps/places\.[0-9a-f]{10}\.js", name)
        assert fingerprint.hashed_name("static/maps/places.js", files[name]) == name
    else:
        assert name == "static/maps/places.js"
    # one script per language: a second language is a second file, which its own pages load
    others = {posixpath.basename(n).split(".")[1] for n in scripts if n != name}
    assert len(scripts) == 1 + len(others)
    pages = [(page, name) for page in MAP_PAGES]
    for language in others:
        other = next(n for n in scripts if posixpath.basename(n).split(".")[1] == language)
        pages += [(f"{language}/{page}", other) for page in MAP_PAGES if f"{language}/{page}" in files]
    for page, script in pages:
        html = files[page].decode()
        links = [link for link in re.findall(r'<script src="([^"]+)"', html) if "maps/places" in link]
        assert len(links) == 1, page
        assert posixpath.normpath(posixpath.join(posixpath.dirname(page), links[0])) == script, page
        # the places script comes after Leaflet and before the drawing code and the map's own (Folium) script
        scripts = re.findall(r'<script src="[^"]*/(leaflet/leaflet|maps/places|js/atlas-map|maps/folium/)', html)
        assert scripts == ["leaflet/leaflet", "maps/places", "js/atlas-map", "maps/folium/"], page


def test_a_project_page_names_its_place_and_carries_no_place_data(mini_content):
    files = build(mini_content, None, mode="offline").files
    html = files["projects/site-project/index.html"].decode()
    [block] = data_blocks(html)
    assert block["places"] == {"parks": [], "projects": ["site-project"]}
    assert not {"rows", "lookups", "columns"} & set(block)
    # no place's name, coordinates or words: the places script holds those, once for every page
    assert "测试显示产业园" not in json.dumps(block, ensure_ascii=False) and "36.07" not in json.dumps(block)
    assert "在建" not in json.dumps(block, ensure_ascii=False) and "labels" not in block
    assert len(json.dumps(block, ensure_ascii=False).encode()) < 300
    assert [(p["kind"], p["slug"]) for p in places_of(files, "projects/site-project/index.html")] == \
        [("projects", "site-project")]


def test_park_and_chain_maps_name_exactly_their_places(mini_content):
    atlas = load_atlas(mini_content)
    files = build(mini_content, None, mode="offline").files
    park = places_of(files, "parks/display-park/index.html")
    assert [(p["kind"], p["slug"]) for p in park] == [("parks", "display-park")] + [
        ("projects", p.slug) for p in atlas.projects_of_park["display-park"] if atlas.placement("projects", p.slug)]
    chain = places_of(files, "chains/display/index.html")
    assert {p["slug"] for p in chain if p["kind"] == "projects"} == {
        p.slug for p in atlas.projects_of_chain["display"] if atlas.placement("projects", p.slug)}


def test_the_places_script_holds_every_placed_entry_once_and_a_second_language_is_a_second_file(mini_content):
    atlas = load_atlas(mini_content)
    index = views.place_index(atlas)
    data = maps.read_places_script(index.encoder.script(basemap.WGS84))
    assert data["datum"] == "wgs84" and len(data["rows"]) == len(index.records)
    # the script holds codes, this language's names and its words for the codes (a page's popups read them there)
    assert data["labels"] == index.labels
    assert data["labels"]["status"]["under_construction"] == "在建" and data["labels"]["text"]["status"] == "状态"
    english = maps.PlaceEncoder([{**record, "name": record["slug"].upper()} for record in index.records.values()],
                                index.labels)
    assert maps.places_path(basemap.WGS84, "en") == "maps/places.en.js" != maps.places_path(basemap.WGS84)
    names = {row[2] for row in maps.read_places_script(english.script(basemap.WGS84))["rows"]}
    assert "SITE-PROJECT" in names


def test_hostile_names_stay_text_in_the_places_script():
    encoder = maps.PlaceEncoder([{"kind": "projects", "slug": "x", "name": "</script><script>alert(1)</script>\u2028",
                                  "lat": 36.0, "lon": 120.0, "precision": "site", "layer": "none"}],
                                {"text": {}, "kind": {}, "status": {}, "precision": {}, "layer": {}})
    script = encoder.script(basemap.WGS84).decode()
    assert "\u2028" not in script and script.count("\n") == 1
    assert maps.read_places_script(script)["rows"][0][2] == "</script><script>alert(1)</script>\u2028"


def test_the_slugs_of_a_map_are_written_as_json_dumps_writes_them():
    atlas = load_atlas(QINGDAO_CONTENT)
    index = views.place_index(atlas)
    places = list(index.records.values())[:3]
    hostile = {**places[0], "slug": 'a"b</script>\u2028é\\'}
    href = {"parks": "p/@", "projects": "q/@"}
    payload = json.loads(index.encoder.payload([hostile, *places[1:]], basemap.WGS84, href))
    expected = {"parks": [], "projects": []}
    for place in [hostile, *places[1:]]:
        expected[place["kind"]].append(place["slug"])
    assert payload["places"] == expected
    assert "<" not in index.encoder.payload([hostile], basemap.WGS84, href)


@pytest.mark.parametrize("options", [maps.MapOptions(), maps.MapOptions(("城阳区",), True)])
def test_a_one_place_data_block_is_the_general_one_with_only_the_slug_filled_in(options):
    """A project page's data block is made from pieces shared by places alike; it must equal the general path's."""
    atlas = load_atlas(QINGDAO_CONTENT)
    encoder = views.place_index(atlas).encoder
    href = {"parks": "../../parks/@/index.html", "projects": "../@/index.html"}
    places = list(views.place_index(atlas).records.values())
    hostile = {**places[0], "slug": 'a"b</script>\u2028é\\'}
    remembered = len(encoder._settings)
    for place in [*places, hostile, *places]:  # the second round reads the remembered settings
        one = encoder.payload([place], basemap.WGS84, href, options)
        assert one == maps._settings_json(tuple(href.items()), basemap.WGS84, options) + encoder.shown([place])
        assert json.loads(one)["places"][place["kind"]] == [place["slug"]]
    assert len(encoder._settings) <= remembered + 1  # one link pattern and options: one memo entry for all places


def test_a_word_holding_u0000_stays_in_the_places_script_and_never_reaches_a_page():
    labels = {"text": {}, "kind": {"projects": "项目"}, "status": {"planning": "\x00"}, "precision": {"site": "准确"},
              "layer": {"none": "无"}}
    place = {"kind": "projects", "slug": "x", "name": "X", "lat": 36.0, "lon": 120.0, "precision": "site",
             "layer": "none", "status": "planning"}
    encoder = maps.PlaceEncoder([place, {**place, "slug": "y"}], labels)
    payload = encoder.payload([place], basemap.WGS84, {"parks": "@", "projects": "@"})
    assert json.loads(payload)["places"] == {"parks": [], "projects": ["x"]} and "\x00" not in payload
    assert maps.read_places_script(encoder.script(basemap.WGS84))["labels"]["status"] == {"planning": "\x00"}


def test_a_one_place_legend_is_the_legend_of_its_set():
    atlas = load_atlas(QINGDAO_CONTENT)
    for place in views.place_index(atlas).records.values():
        general = views._legend(frozenset((place["kind"],)), frozenset((place["stage"],)),
                                frozenset((place["group"],)), frozenset((place["draw"],)), False, CHINESE)
        assert views.map_legend([place]) == general
