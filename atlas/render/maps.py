"""Folium maps whose every asset is served by the site itself.

Folium element classes name CDN URLs; :data:`VENDOR` maps each URL we allow to a file installed
from the npm registry (``package.json``), copied to ``static/vendor/`` in the output. A page that
would reference any other asset fails the build (:class:`AssetError`). Places go to the browser as
one data array, drawn by ``static/js/atlas-map.js``: no per-marker JavaScript statements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.template import Template

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
# Our own scripts every map needs, after the vendor ones.
MAP_SCRIPTS = ("geo/qingdao-geo.js", "js/atlas-map.js")

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')


class AssetError(Exception):
    """A map would load an asset that the site does not ship."""


class AtlasMap(folium.Map):
    # Only Leaflet: the default list also pulls jQuery, Bootstrap and Font Awesome from CDNs, which
    # our markers (circle markers, DOM-built popups) do not need. Set on this subclass so folium's
    # own class-level lists stay untouched for anything else in the process.
    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]


class BaseMap(MacroElement):
    """Land, sea, district outlines and names from ``qingdao-geo.js`` (works with no tiles at all)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMaps.baseMap({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, options: dict):
        super().__init__()
        self._name = "BaseMap"
        self.options = options


class Places(MacroElement):
    """Every place of a map as one data array; clustered so that shared points stay distinguishable."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMaps.places({{ this._parent.get_name() }}, {{ this.places|tojson }}, {{ this.options|tojson }});
        {% endmacro %}
    """)
    default_js = [("markerclusterjs", CLUSTER_JS)]
    default_css = [("markerclustercss", CLUSTER_CSS), ("markerclusterdefaultcss", CLUSTER_DEFAULT_CSS)]

    def __init__(self, places: list[dict], options: dict):
        super().__init__()
        self._name = "Places"
        self.places = places
        self.options = options

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        super().render(**kwargs)


@dataclass(frozen=True)
class MapSpec:
    """What one map shows. Places are plain dicts (see ``atlas.render.pages.place_data``)."""

    map_id: str
    label: str  # aria-label
    places: list[dict]
    center: tuple[float, float]
    zoom: int
    tiles: str = "none"  # osm | none (amap comes with the datum-aware tiles work)
    highlight_districts: tuple[str, ...] = ()
    cluster: bool = True
    fit: bool = True
    height: str = "map"  # css class modifier: map | map-small | map-full
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MapFragment:
    map_id: str
    dom_id: str  # the element id Leaflet draws into (folium's variable name for the map)
    label: str
    css: tuple[str, ...]  # site-relative paths under static/
    js: tuple[str, ...]
    script: str
    height: str


def build_map(spec: MapSpec) -> MapFragment:
    """Build a Folium map; return its assets (local paths), and its script."""
    # With tiles=None folium sets no maxZoom on the map itself (it passes zoom limits to the tile
    # layer), and MarkerCluster then throws: give the map its own limits.
    fmap = AtlasMap(location=list(spec.center), zoom_start=spec.zoom, tiles=None, control_scale=True,
                    prefer_canvas=True, maxZoom=18, minZoom=7)
    if spec.tiles == "osm":
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19).add_to(fmap)
    BaseMap({"highlight": list(spec.highlight_districts), "tiles": spec.tiles}).add_to(fmap)
    Places(spec.places, {"cluster": spec.cluster, "fit": spec.fit, **spec.options}).add_to(fmap)
    _fix_ids(fmap, spec.map_id)
    root = fmap.get_root()
    root.render()
    css, js = _local_assets(root)
    return MapFragment(spec.map_id, fmap.get_name(), spec.label, css, js + MAP_SCRIPTS, root.script.render(),
                       spec.height)


def _fix_ids(element: Element, map_id: str) -> None:
    """Folium names elements with random UUIDs; number them so identical input gives identical pages."""
    counter = iter(range(1, 10_000))

    def walk(node: Element) -> None:
        node._id = f"{map_id.replace('-', '_')}_{next(counter)}"
        for child in node._children.values():
            walk(child)
    walk(element)
    element._id = map_id.replace("-", "_")


def _local_assets(root) -> tuple[tuple[str, ...], tuple[str, ...]]:
    css: list[str] = []
    js: list[str] = []
    for child in root.header._children.values():
        url = getattr(child, "url", None)
        if url is None:
            continue
        if url not in VENDOR:
            raise AssetError(f"a map would load {url}, which the site does not ship; add it to "
                             "package.json and atlas.render.maps.VENDOR, or stop using the element that needs it")
        (js if isinstance(child, JavascriptLink) else css).append(VENDOR[url])
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def geo_script(districts: dict, coastline: dict | None, points: dict[str, tuple[float, float]]) -> str:
    """The base-map data as a script that sets a global (``file://`` forbids fetching JSON)."""
    payload = {"districts": districts, "coastline": coastline, "labels": points}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return "window.ATLAS_GEO = " + data + ";\n"
