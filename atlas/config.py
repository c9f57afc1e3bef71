"""``content/atlas.yaml`` → :class:`~atlas.model.Settings`."""

from __future__ import annotations

from pathlib import Path

from atlas.content import fields as f
from atlas.content.fields import Checker, Spec
from atlas.content.load import LineDict, parse_yaml, read_text
from atlas.model import MapSettings, Settings
from atlas.problems import Problem

TILES = {"osm": ("OpenStreetMap", "OpenStreetMap"), "amap": ("高德地图", "AMap/Gaode (GCJ-02)"),
         "none": ("无在线底图", "no online tiles")}


def _center(check: Checker, raw: object, line: int, name: str) -> tuple[float, float] | None:
    if not isinstance(raw, list) or len(raw) != 2:
        check.add(line, name, "expected [lat, lon], e.g. [36.25, 120.2]")
        return None
    lat = f.number(check, raw[0], line, name)
    lon = f.number(check, raw[1], line, name)
    return (lat, lon) if lat is not None and lon is not None else None


def _zoom(check: Checker, raw: object, line: int, name: str) -> int | None:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 18:
        check.add(line, name, f"expected a whole number from 1 to 18, found '{raw}'")
        return None
    return raw


MAP_SPECS = {"center": Spec(_center), "zoom": Spec(_zoom), "tiles": Spec(f.choice(TILES))}


def _map(check: Checker, raw: object, line: int, name: str) -> MapSettings | None:
    if not isinstance(raw, LineDict):
        check.add(line, name, "expected fields: center, zoom, tiles")
        return None
    return MapSettings(**f.read_fields(check, raw, MAP_SPECS, name + "."))


SETTINGS_SPECS = {
    "title": Spec(f.text, required=True), "title_en": Spec(f.text), "description": Spec(f.text),
    "description_en": Spec(f.text), "base_url": Spec(f.url), "map": Spec(_map),
    "headline_figures": Spec(f.slugs),
}


def load_settings(content: Path) -> tuple[Settings | None, list[Problem]]:
    path = content / "atlas.yaml"
    if not path.is_file():
        return None, [Problem(path, 1, "file", "atlas.yaml is missing; every content folder needs one "
                              "(copy it from the Qingdao atlas and change the title)")]
    text, problems = read_text(path)
    if text is None:
        return None, problems
    data, problems = parse_yaml(text, path)
    if problems:
        return None, problems
    if not isinstance(data, LineDict):
        return None, [Problem(path, 1, "file", "expected 'field: value' lines (title, map, …)")]
    check = Checker(path)
    values = f.read_fields(check, data, SETTINGS_SPECS)
    if check.problems:
        return None, check.problems
    return Settings(**values), []
