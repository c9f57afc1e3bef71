"""Folium maps whose every asset is served by the site itself.

Folium element classes name CDN URLs; :data:`VENDOR` maps each URL we allow to a file installed
from the npm registry (``package.json``), copied to ``static/vendor/`` in the output. A page that
would reference any other asset fails the build (:class:`AssetError`). The Folium part of a map
(Leaflet map, tile layer, calls into ``static/js/atlas-map.js``) depends only on its
:class:`MapSpec`, so it is rendered once per spec; the places go to the browser as one JSON data
block per map (:class:`PlaceEncoder`): no per-marker JavaScript statements.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import folium
import xyzservices.providers as xyz
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.template import Template

from atlas.render import basemap

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
CLUSTER_JS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"
CLUSTER_CSS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"
CLUSTER_DEFAULT_CSS = ("https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
                       "MarkerCluster.Default.css")

# CDN URL folium would use -> file under static/vendor/ (copied from node_modules at build time)
VENDOR: dict[str, str] = {
    LEAFLET_JS: "vendor/leaflet/leaflet.js",
    LEAFLET_CSS: "vendor/leaflet/leaflet.css",
    CLUSTER_JS: "vendor/leaflet.markercluster/leaflet.markercluster.js",
    CLUSTER_CSS: "vendor/leaflet.markercluster/MarkerCluster.css",
    CLUSTER_DEFAULT_CSS: "vendor/leaflet.markercluster/MarkerCluster.Default.css",
}
MAP_SCRIPT = "js/atlas-map.js"  # our own drawing code, after the vendor scripts and the base-map data


@dataclass(frozen=True)
class TileProvider:
    name: str
    url: str
    attribution: str  # HTML, as the provider asks to be credited
    max_zoom: int
    subdomains: str
    datum: str  # coordinates the tiles are drawn in: every point and outline is converted to it


# xyzservices' Gaode.Normal, fetched over https (the tile hosts serve both) from the four hosts webrd01-04
AMAP_URL = xyz.Gaode.Normal.url.replace("http://", "https://").replace("webrd01", "webrd0{s}")
AMAP_ATTRIBUTION = '&copy; <a href="https://www.amap.com/">高德地图 AutoNavi</a>'  # no 审图号 found in a source
TILES: dict[str, TileProvider] = {
    # URL and credit line from xyzservices (folium's maintained provider registry)
    "osm": TileProvider("OpenStreetMap", xyz.OpenStreetMap.Mapnik.url, xyz.OpenStreetMap.Mapnik.html_attribution,
                        19, "abc", basemap.WGS84),
    "amap": TileProvider("高德地图", AMAP_URL, AMAP_ATTRIBUTION, 18, "1234", basemap.GCJ02),
}

# How a place is drawn, by the precision of its location (a city-only location is not drawn at all).
DRAWING = {
    "site": "point",  # a marker
    "area": "circle",  # a marker and a circle of radius_m around it
    "district": "district",  # a marker at the district's representative point, labelled; the district highlighted
}


def drawing_rule(precision: str, radius_m: float | None = None) -> str | None:
    """How a location of this precision is drawn: ``point``, ``circle``, ``district``, or None (not on a map)."""
    rule = DRAWING.get(precision)
    if rule == "circle" and not radius_m:
        return "point"  # an area whose source gives no extent: the popup and page still say "approximate area"
    return rule


class AssetError(Exception):
    """A map would load an asset that the site does not ship."""


class AtlasMap(folium.Map):
    # Only Leaflet: the default list also pulls jQuery, Bootstrap and Font Awesome from CDNs, which
    # our markers (circle markers, DivIcons, DOM-built popups) do not need. Set on this subclass so
    # folium's own class-level lists stay untouched for anything else in the process.
    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]


class BaseMap(MacroElement):
    """Land, sea, district outlines and names from the base-map script (works with no tiles at all)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMaps.baseMap({{ this._parent.get_name() }}, AtlasMaps.data({{ this.data_id|tojson }}));
        {% endmacro %}
    """)

    def __init__(self, data_id: str):
        super().__init__()
        self._name = "BaseMap"
        self.data_id = data_id


class Places(MacroElement):
    """The places of a map, read from the page's JSON data block; clustered so shared points stay distinguishable."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMaps.places({{ this._parent.get_name() }}, AtlasMaps.data({{ this.data_id|tojson }}));
        {% endmacro %}
    """)
    default_js = [("markerclusterjs", CLUSTER_JS)]
    # MarkerCluster.Default.css is left out: its green/yellow/orange would read as our chain-group colours, so
    # atlas.css draws the cluster icons in the site's neutral navy instead.
    default_css = [("markerclustercss", CLUSTER_CSS)]

    def __init__(self, data_id: str):
        super().__init__()
        self._name = "Places"
        self.data_id = data_id

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        super().render(**kwargs)


@dataclass(frozen=True)
class MapSpec:
    """Everything about a map but its places: equal specs share one Folium render."""

    map_id: str
    center: tuple[float, float]  # WGS-84
    zoom: int
    tiles: str = "none"  # a key of TILES, or none (the vector base map alone)


@dataclass(frozen=True)
class MapFragment:
    map_id: str
    dom_id: str  # the element id Leaflet draws into (folium's variable name for the map)
    data_id: str  # the id of the <script type="application/json"> holding the places
    datum: str
    css: tuple[str, ...]  # site-relative paths under static/
    js: tuple[str, ...]
    script: str


@functools.lru_cache(maxsize=64)
def build_map(spec: MapSpec) -> MapFragment:
    """Build a Folium map; return its assets (local paths) and its script."""
    provider = TILES.get(spec.tiles)
    datum = provider.datum if provider else basemap.WGS84
    # With tiles=None folium sets no maxZoom on the map itself (it passes zoom limits to the tile
    # layer), and MarkerCluster then throws: give the map its own limits.
    fmap = AtlasMap(location=list(basemap.to_datum(spec.center, datum)), zoom_start=spec.zoom, tiles=None,
                    control_scale=True, prefer_canvas=True, maxZoom=provider.max_zoom if provider else 17, minZoom=7)
    if provider:
        folium.TileLayer(provider.url, attr=provider.attribution, name=provider.name, max_zoom=provider.max_zoom,
                         subdomains=provider.subdomains).add_to(fmap)
    dom_id = spec.map_id.replace("-", "_")
    data_id = f"{dom_id}_data"
    BaseMap(data_id).add_to(fmap)
    Places(data_id).add_to(fmap)
    _fix_ids(fmap, dom_id)
    root = fmap.get_root()
    root.render()
    css, js = _local_assets(root)
    return MapFragment(spec.map_id, fmap.get_name(), data_id, datum, css,
                       js + (basemap.script_path(datum), MAP_SCRIPT), root.script.render())


def _fix_ids(element: Element, dom_id: str) -> None:
    """Folium names elements with random UUIDs; number them so identical input gives identical pages."""
    counter = iter(range(1, 10_000))

    def walk(node: Element) -> None:
        node._id = f"{dom_id}_{next(counter)}"
        for child in node._children.values():
            walk(child)
    walk(element)
    element._id = dom_id


def _local_assets(root) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from atlas.render.assets import VENDOR_FILES  # assets imports the base-map scripts from here

    css: list[str] = []
    js: list[str] = []
    for child in root.header._children.values():
        url = getattr(child, "url", None)
        if url is None:
            continue
        if url not in VENDOR or VENDOR[url].removeprefix("vendor/") not in VENDOR_FILES:
            raise AssetError(f"a map would load {url}, which the site does not ship; add the library to "
                             "package.json, its file to atlas.render.assets.VENDOR_FILES and the URL to "
                             "atlas.render.maps.VENDOR, or stop using the Folium element that needs it")
        (js if isinstance(child, JavascriptLink) else css).append(VENDOR[url])
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


# --- the data block --------------------------------------------------------------------------------

# Columns of each place row; a row stops at its last non-null value (JavaScript reads the rest as
# undefined), so the columns that are usually empty come last. Coded columns repeat a few values:
# rows hold an index into a lookup list shared by every map of the site.
COLUMNS = ("kind", "slug", "name", "lat", "lon", "precision", "draw", "layer", "group", "stage", "status",
           "investment", "district", "via", "radius_m", "count", "chains")
CODED = ("kind", "precision", "draw", "layer", "group", "stage", "status", "district", "via")
_COMPACT = {"ensure_ascii": False, "separators": (",", ":")}

# A text alternative longer than this is built by atlas-map.js from the data block rather than sent as
# HTML: ten thousand table rows take seconds to parse and lay out, a data row is parsed in microseconds.
TEXT_IN_HTML_LIMIT = 2000


@dataclass(frozen=True)
class MapOptions:
    """Per-page choices the browser needs besides the places."""

    highlight: tuple[str, ...] = ()  # district names drawn highlighted from the start
    label_approximate: bool = False  # district-precision markers carry a visible label (small maps)
    fit: bool = True  # zoom to the places


class PlaceEncoder:
    """Writes maps' JSON data blocks. Codes of coded columns are shared by every map of a site, so a place's
    row is the same text on every map and is encoded once per datum; each block carries only the lookup
    entries and words its own places use."""

    def __init__(self, places: Iterable[dict], labels: dict[str, dict[str, str]]):
        places = list(places)
        self.lookups = {column: list(dict.fromkeys(p[column] for p in places if p.get(column) is not None))
                        for column in CODED}
        self.labels = labels
        self._codes = {column: {value: i for i, value in enumerate(values)} for column, values in self.lookups.items()}
        self._rows: dict[tuple[str, str, str], str] = {}
        self._pieces: dict[tuple, str] = {}
        self._text_json = _script_safe(json.dumps(labels["text"], **_COMPACT))

    def row(self, place: dict, datum: str) -> str:
        """One place as a JSON array, in ``datum`` coordinates."""
        key = (datum, place["kind"], place["slug"])
        text = self._rows.get(key)
        if text is None:
            lat, lon = basemap.to_datum((place["lat"], place["lon"]), datum)
            values = {**place, "lat": lat, "lon": lon}
            row = [values.get(column) for column in COLUMNS]
            for position, column in enumerate(COLUMNS):
                if column in self._codes and row[position] is not None:
                    row[position] = self._codes[column][row[position]]
            while row and row[-1] is None:
                row.pop()
            text = self._rows[key] = _script_safe(json.dumps(row, **_COMPACT))
        return text

    def payload(self, places: list[dict], datum: str, href: dict[str, str], options: MapOptions = MapOptions()) -> str:
        """The places of one map as a JSON text safe inside ``<script type="application/json">``.

        ``href`` maps a kind to its page URL with ``@`` for the slug, so the links follow the URL mode.
        """
        used = tuple(tuple(dict.fromkeys(place[column] for place in places if place.get(column) is not None))
                     for column in CODED)
        return (_COLUMNS_JSON + _settings_json(tuple(href.items()), datum, options) + self._words(used)
                + ',"rows":[' + ",".join([self.row(place, datum) for place in places]) + "]}")

    def _words(self, used: tuple[tuple, ...]) -> str:
        """The lookup entries and words for the coded values a map uses, from per-column pieces that many small
        maps share (each piece is encoded once)."""
        values = dict(zip(CODED, used))
        lookups = ",".join(self._piece("lookups", column, values[column]) for column in CODED)
        labels = ",".join(self._piece("labels", column, values[column]) for column in LABELLED)
        return ',"lookups":{' + lookups + '},"labels":{"text":' + self._text_json + "," + labels + "}"

    def _piece(self, part: str, column: str, values: tuple) -> str:
        key = (part, column, values)
        text = self._pieces.get(key)
        if text is None:
            if part == "lookups":
                entries = {self._codes[column][value]: value for value in values}
            else:
                entries = {value: self.labels[column][value] for value in values}
            text = self._pieces[key] = _script_safe(json.dumps({column: entries}, **_COMPACT)[1:-1])
        return text


LABELLED = ("kind", "status", "precision", "layer")  # coded columns whose values the popups put into words
_COLUMNS_JSON = '{"columns":' + json.dumps(COLUMNS, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)
def _settings_json(href: tuple[tuple[str, str], ...], datum: str, options: MapOptions) -> str:
    settings = {"href": dict(href), "datum": datum, "highlight": list(options.highlight),
                "labelApproximate": options.label_approximate, "fit": options.fit}
    return _script_safe("," + json.dumps(settings, **_COMPACT)[1:-1])


def _script_safe(text: str) -> str:
    """JSON that cannot end its ``<script>`` element early (read with JSON.parse, so U+2028 is fine).

    Every "<" is escaped, not only "</": "<!--" then "<script" inside a script element would keep it open
    past its own "</script>" (tests/test_hostile.py, payload comment-opens-script).
    """
    return text.replace("<", "\\u003c")


def decode_payload(text: str) -> list[dict]:
    """The places of a payload as dicts again (what ``atlas-map.js`` does; used by tests and benchmarks)."""
    payload = json.loads(text)
    lookups = payload["lookups"]
    places = []
    for row in payload["rows"]:
        values = dict.fromkeys(payload["columns"])
        for column, value in zip(payload["columns"], row):
            values[column] = lookups[column][str(value)] if column in lookups and value is not None else value
        places.append(values)
    return places


@dataclass(frozen=True)
class Toggle:
    """One checkbox of a map's filter: a layer (chain, parks, chain not stated) or a status."""

    key: str
    label: str
    count: int


def layer_toggles(places: Iterable[dict], order: Iterable[str], labels: dict[str, str]) -> list[Toggle]:
    """One toggle per layer present, in ``order`` (parks, then chains, then 'none'), with how many places it holds."""
    counts = Counter(place["layer"] for place in places)
    return [Toggle(key, labels[key], counts[key]) for key in order if counts[key]]


def status_toggles(places: Iterable[dict], labels: dict[str, str]) -> list[Toggle]:
    """One toggle per project status present, in the order of the status vocabulary."""
    counts = Counter(place["status"] for place in places if place["kind"] == "projects")
    return [Toggle(key, label, counts[key]) for key, label in labels.items() if counts[key]]


def base_map_files(geo, tiles: str) -> dict[str, bytes]:
    """The base-map scripts the site needs: WGS-84 (offline, no tiles, OSM) and the configured tiles' datum."""
    provider = TILES.get(tiles)
    return basemap.geo_files(geo, (basemap.WGS84, provider.datum if provider else basemap.WGS84))
