"""Static files of the site: our CSS and JS, vendor libraries from node_modules, base-map data."""

from __future__ import annotations

from pathlib import Path

from atlas.paths import NODE_MODULES, PROJECT_ROOT, STATIC_DIR
from atlas.render import search
from atlas.render.maps import base_map_files
from atlas.resolve import Atlas

# output path under static/vendor/ -> file in node_modules (package.json pins the versions)
VENDOR_FILES = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "leaflet.markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet.markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "leaflet.markercluster/MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "minisearch/minisearch.js": "minisearch/dist/umd/index.js",
}


class MissingVendorFiles(Exception):
    pass


def static_files(atlas: Atlas, static_dir: Path = STATIC_DIR, node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in sorted(static_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            files["static/" + path.relative_to(static_dir).as_posix()] = path.read_bytes()
    missing = [source for source in VENDOR_FILES.values() if not (node_modules / source).is_file()]
    if missing:
        raise MissingVendorFiles(
            f"front-end libraries are not installed ({', '.join(missing[:2])} …): run `npm ci` in "
            f"{PROJECT_ROOT} (`make site` does it for you)")
    for target, source in VENDOR_FILES.items():
        files["static/vendor/" + target] = (node_modules / source).read_bytes()
    files.update(base_map_files(atlas.content.geo, atlas.settings.map.tiles))  # static/geo/*.js, per datum
    files[search.INDEX_PATH] = search.search_index_file(atlas)
    return files
