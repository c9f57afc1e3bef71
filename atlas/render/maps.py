"""Folium maps whose every asset is served by the site itself.

The Folium element classes we use name local files under ``static/vendor/`` (installed from the npm
registry, ``package.json``) instead of CDN URLs; a page that would reference any asset the site does
not ship fails the build (:class:`AssetError`). The Folium part of a map (Leaflet map, tile layer,
calls into ``static/js/atlas-map.js``) depends only on its :class:`MapSpec`, so it is rendered once
per spec. The places of the whole site go to the browser once, as one shared script per language and
datum (``static/maps/places.js``, :meth:`PlaceEncoder.script`) with the words for their coded values; each
map's own JSON data block names only which places it shows and its settings: no per-marker JavaScript
statements.
"""

from __future__ import annotations

import functools
import json
import operator
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import repeat

import folium
import xyzservices.providers as xyz
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.template import Template

from atlas.render import basemap

# Files under static/ that Folium's elements load (copied from node_modules at build time, see assets.VENDOR_FILES)
LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
CLUSTER_JS = "vendor/leaflet.markercluster/leaflet.markercluster.js"
CLUSTER_CSS = "vendor/leaflet.markercluster/MarkerCluster.css"
MAP_SCRIPT = "js/atlas-map.js"  # our own drawing code, after the vendor scripts, base map and places
DEFAULT_LANGUAGE = "zh"


def places_path(datum: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The shared places script (under static/) of one language and datum: ``maps/places.js``,
    ``maps/places.gcj02.js``, ``maps/places.en.js``… Each sets ``window.ATLAS_PLACES``; a page loads one."""
    suffix = ("" if language == DEFAULT_LANGUAGE else f".{language}") + ("" if datum == basemap.WGS84 else f".{datum}")
    return f"maps/places{suffix}.js"


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
    # Only Leaflet, as a local file: the default list also pulls jQuery, Bootstrap and Font Awesome from
    # CDNs, which our markers (circle markers, DivIcons, DOM-built popups) do not need. Set on this
    # subclass so folium's own class-level lists stay untouched for anything else in the process.
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
    language: str = DEFAULT_LANGUAGE  # which shared places script the map reads (names, formatted amounts)


# Compared by identity: each is made once per spec and language (build_map, site._fragment are memoised), and
# thousands of pages put theirs in memo keys (site.map_asset_tags, a small map's shape), where hashing its fields
# each time cost a microsecond a page.
@dataclass(frozen=True, eq=False)
class MapFragment:
    map_id: str
    dom_id: str  # the element id Leaflet draws into (folium's variable name for the map)
    data_id: str  # the id of the <script type="application/json"> naming the places it shows
    datum: str
    css: tuple[str, ...]  # site-relative paths under static/
    vendor_js: tuple[str, ...]  # the libraries Folium's elements load (under static/vendor/)
    script: str  # Folium's script for the map (Leaflet map, tile layer, calls into atlas-map.js): a file of its own
    language: str = DEFAULT_LANGUAGE  # whose base map and places the map reads

    @property
    def script_path(self) -> str:
        """The map's Folium script under static/: one file that every page with this map loads (and a browser keeps),
        not a copy inline in each page. Within one render a map id has one spec (one tiles setting)."""
        return f"maps/folium/{self.map_id}.js"

    @property
    def js(self) -> tuple[str, ...]:
        """Every script the map needs under static/, in load order: the libraries, its language's base map and
        places, our drawing code, then its Folium script."""
        return self.vendor_js + _language_scripts(self.datum, self.language) + (self.script_path,)


def datum_of(tiles: str) -> str:
    """The datum a map with these tiles is drawn in (WGS-84 with no tiles)."""
    provider = TILES.get(tiles)
    return provider.datum if provider else basemap.WGS84


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
    return MapFragment(spec.map_id, fmap.get_name(), data_id, datum, css, js, root.script.render(), spec.language)


def _language_scripts(datum: str, language: str) -> tuple[str, ...]:
    """The scripts after the vendor ones: the base map and places of one language, then our drawing code."""
    return basemap.script_path(datum, language), places_path(datum, language), MAP_SCRIPT


def in_language(fragment: MapFragment, language: str) -> MapFragment:
    """The same map reading another language's base map and places: its Folium part does not depend on the
    language, so each edition's maps share one Folium render and one Folium script."""
    return replace(fragment, language=language)


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
        if not url.startswith("vendor/") or url.removeprefix("vendor/") not in VENDOR_FILES:
            raise AssetError(f"a map would load {url}, which the site does not ship; add the library to "
                             "package.json and its file to atlas.render.assets.VENDOR_FILES, then name that "
                             "file (vendor/…) in the Folium element, or stop using the element that needs it")
        (js if isinstance(child, JavascriptLink) else css).append(url)
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


# --- the shared places script and each map's data block ----------------------------------------------

# Columns of each place row (atlas-map.js's decode() names each one); a row stops at its last non-null
# value (JavaScript reads the rest as undefined), so the columns that are usually empty come last. Coded
# columns repeat a few values: rows hold an index into the script's lookup lists.
COLUMNS = ("kind", "slug", "name", "lat", "lon", "precision", "draw", "layer", "group", "stage", "status",
           "investment", "district", "via", "radius_m", "count", "chains")
CODED = ("kind", "precision", "draw", "layer", "group", "stage", "status", "district", "via")
_LAT, _LON = COLUMNS.index("lat"), COLUMNS.index("lon")
_kind_and_slug = operator.itemgetter("kind", "slug")
_COMPACT = {"ensure_ascii": False, "separators": (",", ":")}
_json_string = json.encoder.encode_basestring  # one string as json.dumps(..., ensure_ascii=False) writes it
PLACES_GLOBAL = "ATLAS_PLACES"

# A text alternative longer than this is built by atlas-map.js from the places data rather than sent as
# HTML: ten thousand table rows take seconds to parse and lay out, a data row is parsed in microseconds.
TEXT_IN_HTML_LIMIT = 2000


@dataclass(frozen=True)
class MapOptions:
    """Per-page choices the browser needs besides the places."""

    highlight: tuple[str, ...] = ()  # district names drawn highlighted from the start
    label_approximate: bool = False  # district-precision markers carry a visible label (small maps)
    fit: bool = True  # zoom to the places


class PlaceEncoder:
    """Writes the shared places script of one language (the records carry its names and formatted amounts, and
    ``labels`` the words for its coded values, passed in by the caller) and the small per-map data blocks: which
    places a map shows (by slug, or all of them) and its settings."""

    def __init__(self, places: Iterable[dict], labels: dict[str, dict[str, str]]):
        self.places = list(places)  # in the order of the script's rows
        self._columns = _columns_of(self.places)
        self.lookups = {column: _distinct(self._columns[column]) for column in CODED}
        self.labels = labels
        self._codes = {column: {value: i for i, value in enumerate(values)} for column, values in self.lookups.items()}
        self._coded_positions = [(COLUMNS.index(column), codes) for column, codes in self._codes.items()]
        self._keys = list(map(_kind_and_slug, self.places))
        self._settings: dict[tuple, tuple] = {}  # memo of data-block settings (see settings())

    def rows(self, datum: str) -> list[list]:
        """Every place as a list of column values, in ``datum`` coordinates, coded columns as lookup indexes; a
        row stops at its last value. Made column by column: ten thousand places, one loop per column."""
        columns = [self._columns[column] for column in COLUMNS]
        if datum != basemap.WGS84:
            moved = [basemap.to_datum(point, datum) for point in zip(columns[_LAT], columns[_LON])]
            columns[_LAT], columns[_LON] = [lat for lat, _ in moved], [lon for _, lon in moved]
        for position, codes in self._coded_positions:
            columns[position] = list(map(codes.get, columns[position]))  # None (no value) is no code: stays None
        rows = list(map(list, zip(*columns)))
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        return rows

    def script(self, datum: str) -> bytes:
        """The shared places script: ``window.ATLAS_PLACES = {datum, columns, lookups, labels, rows}``, every
        placed entry of the site once and the words the popups, tooltips and lists put to its codes, loaded by
        ``<script>`` (``file://`` forbids fetching data)."""
        data = {"datum": datum, "columns": COLUMNS, "lookups": self.lookups, "labels": self.labels,
                "rows": self.rows(datum)}
        # A file of its own, but the same rule as inline data: no raw "<" (a page could one day inline it).
        text = _script_safe(json.dumps(data, **_COMPACT)).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return f"window.{PLACES_GLOBAL} = {text};\n".encode()

    def payload(self, places: Sequence[dict], datum: str, href: dict[str, str],
                options: MapOptions = MapOptions()) -> str:
        """One map's data block, a JSON text safe inside ``<script type="application/json">``: the places it
        shows (``"all"``, or slugs by kind, in order) and its settings. The words for coded values are the
        language's, in the places script.

        ``href`` maps a kind to its page URL with ``@`` for the slug, so the links follow the URL mode.
        """
        if len(places) == 1 and len(self._keys) > 1:  # most maps (a project page's): all but the slug is shared
            place = places[0]
            before, after = _ONE_PLACE[place["kind"]]
            return self.settings(href, datum, options) + before + _script_safe(_json_string(place["slug"])) + after
        return _settings_json(tuple(href.items()), datum, options) + self.shown(places)

    def settings(self, href: dict[str, str], datum: str, options: MapOptions) -> str:
        """``_settings_json``, remembered by the identity of ``href`` and ``options``: thousands of pages pass the
        same (memoised) objects. The memo holds them, so their ids cannot pass to other objects meanwhile."""
        key = (id(href), datum, id(options))
        held = self._settings.get(key)
        if held is None:
            held = self._settings[key] = (href, options, _settings_json(tuple(href.items()), datum, options))
        return held[2]

    def shown(self, places: list[dict]) -> str:
        """The end of a data block of ``places``, after its settings: which places it shows. It depends on the
        places alone, so maps of the same places share it (``views.PlaceIndex.selection``)."""
        if len(places) == len(self._keys) and list(map(_kind_and_slug, places)) == self._keys:
            return ',"places":"all"}'
        slugs: dict[str, list[str]] = {"parks": [], "projects": []}
        for place in places:
            slugs[place["kind"]].append(place["slug"])
        # what json.dumps(slugs, **_COMPACT) writes, without its per-call set-up
        return _script_safe(',"places":{"parks":[' + ",".join(map(_json_string, slugs["parks"])) + '],"projects":['
                            + ",".join(map(_json_string, slugs["projects"])) + "]}}")


# what shown() writes around the slug of a map's one place, by its kind
_ONE_PLACE = {"projects": (',"places":{"parks":[],"projects":[', "]}}"),
              "parks": (',"places":{"parks":[', '],"projects":[]}}')}


@functools.lru_cache(maxsize=1024)
def _settings_json(href: tuple[tuple[str, str], ...], datum: str, options: MapOptions) -> str:
    settings = {"href": dict(href), "datum": datum, "highlight": list(options.highlight),
                "labelApproximate": options.label_approximate, "fit": options.fit}
    return _script_safe(json.dumps(settings, **_COMPACT)[:-1])


def _columns_of(places: list[dict]) -> dict[str, tuple]:
    """Every column (COLUMNS) of every place, read in one pass: one C call per place reads its whole row where every
    place has every column, as ``views.place_data``'s records do; a place made by hand (tests) may lack some: None."""
    try:
        columns = list(zip(*map(operator.itemgetter(*COLUMNS), places)))
    except KeyError:
        columns = [tuple(map(dict.get, places, repeat(column))) for column in COLUMNS]
    return dict(zip(COLUMNS, columns or [()] * len(COLUMNS)))


def _distinct(values: list) -> list:
    """The values in the order they first appear, without None."""
    found = dict.fromkeys(values)
    found.pop(None, None)
    return list(found)


def _script_safe(text: str) -> str:
    """JSON that cannot end its ``<script>`` element early (read with JSON.parse, so U+2028 is fine).

    Every "<" is escaped, not only "</": "<!--" then "<script" inside a script element would keep it open
    past its own "</script>" (tests/test_hostile.py, payload comment-opens-script).
    """
    return text.replace("<", "\\u003c")


def read_places_script(script: bytes | str) -> dict:
    """The data of a shared places script (what the browser gets as ``window.ATLAS_PLACES``)."""
    text = script.decode("utf-8") if isinstance(script, bytes) else script
    prefix = f"window.{PLACES_GLOBAL} = "
    if not text.startswith(prefix):
        raise ValueError(f"not a places script: {text[:40]!r}")
    return json.loads(text[len(prefix):].rstrip().removesuffix(";"))


def places_script_in(files: dict[str, bytes], datum: str = basemap.WGS84, language: str = DEFAULT_LANGUAGE) -> bytes:
    """The shared places script among a build's files, under its plain or content-hashed name."""
    stem = "static/" + places_path(datum, language).removesuffix(".js")
    hashed = re.compile(re.escape(stem) + r"\.[0-9a-f]{10}\.js")
    [name] = [name for name in files if name == stem + ".js" or hashed.fullmatch(name)]
    return files[name]


def decode_payload(text: str, places_script: bytes | str) -> list[dict]:
    """The places a map's data block shows, as dicts, read from the shared places script (what
    ``atlas-map.js`` does; used by tests and benchmarks)."""
    payload, shared = json.loads(text), read_places_script(places_script)
    columns, lookups = shared["columns"], shared["lookups"]
    places = []
    for row in shared["rows"]:
        values = dict.fromkeys(columns)
        for column, value in zip(columns, row):
            values[column] = lookups[column][value] if column in lookups and value is not None else value
        places.append(values)
    if payload["places"] == "all":
        return places
    by_key = {(place["kind"], place["slug"]): place for place in places}
    return [by_key[(kind, slug)] for kind in ("parks", "projects") for slug in payload["places"][kind]]


@dataclass(frozen=True)
class Toggle:
    """One checkbox of a map's filter: a layer (chain, parks, chain not stated) or a status."""

    key: str
    label: str
    count: int


def layer_toggles(places: Iterable[dict], order: Iterable[str], labels: dict[str, str]) -> list[Toggle]:
    """One toggle per layer present, in ``order`` (parks, then chains, then 'none'), with how many places it holds."""
    counts = Counter(map(operator.itemgetter("layer"), places))
    return [Toggle(key, labels[key], counts[key]) for key in order if counts[key]]


def status_toggles(places: Iterable[dict], labels: dict[str, str]) -> list[Toggle]:
    """One toggle per project status present, in the order of the status vocabulary."""
    counts = Counter(place["status"] for place in places if place["kind"] == "projects")
    return [Toggle(key, label, counts[key]) for key, label in labels.items() if counts[key]]


def base_map_files(geo, tiles: str) -> dict[str, bytes]:
    """The base-map scripts the site needs: WGS-84 (offline, no tiles, OSM) and the configured tiles' datum."""
    provider = TILES.get(tiles)
    return basemap.geo_files(geo, (basemap.WGS84, provider.datum if provider else basemap.WGS84))
