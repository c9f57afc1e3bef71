"""District outlines and representative points (atlas.geo)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas.geo import (
    DISTRICTS_FILE,
    _polygons,
    load_geo,
    point_in_polygon,
    representative_point,
    ring_area,
    ring_centroid,
)

CONTENT = Path(__file__).resolve().parents[1] / "content"
QINGDAO_DISTRICTS = ("市南区", "市北区", "黄岛区", "崂山区", "李沧区", "城阳区", "即墨区", "胶州市", "平度市", "莱西市")


@pytest.fixture(scope="module")
def geo():
    geo, problems = load_geo(CONTENT)
    assert problems == []
    return geo


def inside(point: tuple[float, float], geometry: dict) -> bool:
    lat, lon = point
    return any(point_in_polygon(lon, lat, polygon) for polygon in _polygons(geometry))


def test_the_ten_districts_are_loaded(geo):
    assert sorted(geo.names) == sorted(QINGDAO_DISTRICTS)


@pytest.mark.parametrize("name", QINGDAO_DISTRICTS)
def test_representative_point_lies_in_its_own_district_only(geo, name: str):
    district = geo.districts[name]
    assert inside(district.point, district.geometry)
    others = [other for other in geo.districts.values() if other.name != name]
    assert [other.name for other in others if inside(district.point, other.geometry)] == []


U_SHAPE = [[(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]]


def test_concave_polygon_gets_a_point_inside_it():
    centroid = ring_centroid(U_SHAPE[0])
    assert not point_in_polygon(*centroid, U_SHAPE)  # the premise: the centroid is in the U's gap
    lat, lon = representative_point([U_SHAPE])
    assert point_in_polygon(lon, lat, U_SHAPE)
    assert lat == pytest.approx(centroid[1], abs=1e-5)


def test_point_avoids_a_hole_that_holds_the_centroid():
    ring = [(0, 0), (10, 0), (10, 10), (0, 10)]
    hole = [(1, 1), (1, 9), (9.5, 9), (9.5, 1)]
    donut = [ring, hole]
    lat, lon = representative_point([donut])
    assert point_in_polygon(lon, lat, donut)
    assert (lat, lon) == (pytest.approx(5.0), pytest.approx(0.5))  # the wider of the two stretches


def test_the_largest_polygon_is_used():
    small = [[(100, 100), (101, 100), (101, 101), (100, 101)]]
    large = [[(0, 0), (4, 0), (4, 4), (0, 4)]]
    assert representative_point([small, large]) == (2.0, 2.0)
    assert abs(ring_area(large[0])) == 16


def test_degenerate_polygon_does_not_crash():
    line = [[(1, 1), (2, 2), (3, 3)]]
    assert representative_point([line]) == (2.0, 2.0)


def test_unusable_district_file_is_a_problem_not_a_crash(tmp_path: Path):
    (tmp_path / "geo").mkdir()
    path = tmp_path / "geo" / DISTRICTS_FILE
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "某区"}, "geometry": {"type": "Point", "coordinates": [120, 36]}}]}),
        encoding="utf-8")
    geo, [problem] = load_geo(tmp_path)
    assert geo.names == ()
    assert (problem.path, problem.field) == (path, "geo")
    assert problem.message.startswith("feature 1 is not a usable district outline")
    path.write_text("{not json", encoding="utf-8")
    assert load_geo(tmp_path)[1][0].message.startswith("cannot read GeoJSON")
