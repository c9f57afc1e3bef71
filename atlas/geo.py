"""Qingdao's district outlines and coastline, and the representative point of each district.

A ``district``-precision location is drawn at its district's representative point: the centroid of
the district's largest polygon when that lies inside it, otherwise the middle of the widest inside
stretch of the line of latitude through the centroid. Computed here, never typed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from atlas.problems import Problem

DISTRICTS_FILE = "qingdao-districts.wgs84.geojson"
DISTRICTS_GCJ02_FILE = "qingdao-districts.gcj02.geojson"
COASTLINE_FILE = "qingdao-coastline.wgs84.geojson"
MAX_GEO_BYTES = 20_000_000  # the real outlines are about 120 KB

Ring = list[tuple[float, float]]  # (lon, lat) pairs, as GeoJSON writes them
Polygon = list[Ring]  # outer ring first, then holes


@dataclass(frozen=True)
class District:
    name: str
    adcode: str
    point: tuple[float, float]  # (lat, lon)
    geometry: dict  # the GeoJSON geometry, untouched


@dataclass(frozen=True)
class Geo:
    districts: dict[str, District]
    districts_geojson: dict
    coastline_geojson: dict | None
    folder: Path | None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.districts)


EMPTY = Geo({}, {"type": "FeatureCollection", "features": []}, None, None)


def load_geo(content: Path) -> tuple[Geo, list[Problem]]:
    folder = content / "geo"
    path = folder / DISTRICTS_FILE
    if not path.is_file():
        return EMPTY, []
    districts_geojson, problem = read_geojson(path)
    coast_path = folder / COASTLINE_FILE
    coastline, coast_problem = read_geojson(coast_path) if coast_path.is_file() else (None, None)
    if problem or coast_problem:
        return EMPTY, [p for p in (problem, coast_problem) if p]
    districts = {}
    features = districts_geojson.get("features", []) if isinstance(districts_geojson, dict) else None
    if not isinstance(features, list):
        return EMPTY, [Problem(path, 1, "geo", "expected a GeoJSON FeatureCollection of district outlines")]
    for index, feature in enumerate(features):
        try:
            props = feature.get("properties") or {}
            name = props.get("name")
            if not name:
                continue
            polygons = _polygons(feature["geometry"])
            point = representative_point(polygons)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            return EMPTY, [Problem(path, 1, "geo", f"feature {index + 1} is not a usable district outline "
                                   f"({type(exc).__name__}: {exc}); restore the file from geo/README.md's source")]
        districts[name] = District(name, str(props.get("adcode", "")), point, feature["geometry"])
    return Geo(districts, districts_geojson, coastline, folder), []


def read_geojson(path: Path) -> tuple[object, Problem | None]:
    """A GeoJSON file's data, or why it cannot be used (too big, not JSON, nested beyond Python's stack)."""
    try:
        size = path.stat().st_size
        if size > MAX_GEO_BYTES:
            return None, Problem(path, 1, "geo", f"file is {size:,} bytes; outline files are limited to "
                                 f"{MAX_GEO_BYTES:,} bytes — simplify the outlines")
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as exc:
        return None, Problem(path, 1, "geo", f"cannot read GeoJSON: {exc}")
    except RecursionError:
        return None, Problem(path, 1, "geo", "cannot read GeoJSON: it is nested too deeply to be outlines")


def _polygons(geometry: dict) -> list[Polygon]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unsupported geometry {geometry['type']}")


def ring_area(ring: Ring) -> float:
    """Signed planar area (shoelace), in square degrees."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1])) / 2


def ring_centroid(ring: Ring) -> tuple[float, float]:
    area = ring_area(ring)
    if area == 0:
        xs, ys = zip(*ring)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def point_in_polygon(x: float, y: float, polygon: Polygon) -> bool:
    inside = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def representative_point(polygons: list[Polygon]) -> tuple[float, float]:
    """A point inside the largest polygon, as (lat, lon) rounded to 5 decimals (about 1 m)."""
    largest = max(polygons, key=lambda p: abs(ring_area(p[0])))
    x, y = ring_centroid(largest[0])
    if not point_in_polygon(x, y, largest):
        x = _widest_inside_stretch(y, largest)
    return round(y, 5), round(x, 5)


def _widest_inside_stretch(y: float, polygon: Polygon) -> float:
    crossings = sorted(
        x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        for ring in polygon
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1])
        if (y1 > y) != (y2 > y)
    )
    stretches = list(zip(crossings[::2], crossings[1::2]))
    if not stretches:  # a degenerate (zero-area) polygon: keep the centroid
        return sum(x for x, _ in polygon[0]) / len(polygon[0])
    start, end = max(stretches, key=lambda s: s[1] - s[0])
    return (start + end) / 2
