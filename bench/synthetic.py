"""A synthetic atlas for benchmarks: the real chains, parks and districts plus N made-up projects.

    from bench.synthetic import synthetic_atlas
    atlas = synthetic_atlas(10_000)            # seeded: every call gives the same Atlas

Importable by any benchmark (maps, search, build). Projects are placed with a realistic mix of
location precisions (site, area, district, via their park, city-only) at random points inside the
real district outlines. No name or fact refers to a real company or place beyond the districts.
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from atlas.content import Content, read_content  # noqa: E402
from atlas.geo import District, point_in_polygon  # noqa: E402
from atlas.model import STATUSES, Location, Milestone, Project, SourceRef  # noqa: E402
from atlas.resolve import Atlas, resolve  # noqa: E402

SEED = 20231016
SYLLABLES = "澜启禾晟拓岚屿弘钧朗汇澄翎琨曜泓峰宸骏沐"
PRODUCTS = ("智能传感器", "动力电池", "氢燃料电池", "显示模组", "工业机器人", "生物制药", "医疗器械",
            "集成电路封测", "碳纤维材料", "海洋装备", "储能系统", "工业软件", "精密仪器", "智能家电")
KINDS = ("生产基地", "产业园", "研发中心", "智能工厂", "产业化项目", "中试基地", "总部基地")
PHASES = ("", "一期", "二期")
# share of projects by how they are placed: (precision, weight); "park" = no location, falls back to its park
PLACEMENTS = (("site", 30), ("area", 20), ("district", 35), ("park", 10), ("city", 5))


def random_point(district: District, rng: random.Random) -> tuple[float, float]:
    """A (lat, lon) inside the district's largest polygon, by rejection sampling in its bounding box."""
    geometry = district.geometry
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    polygon = max(polygons, key=lambda p: len(p[0]))
    xs = [x for x, _ in polygon[0]]
    ys = [y for _, y in polygon[0]]
    for _ in range(1000):
        x, y = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        if point_in_polygon(x, y, polygon):
            return round(y, 5), round(x, 5)
    return district.point


def synthetic_location(kind: str, district: District, rng: random.Random) -> Location | None:
    if kind == "park":
        return None
    if kind == "city":
        return Location("city")
    if kind == "district":
        return Location("district", district=district.name)
    lat, lon = random_point(district, rng)
    radius = float(rng.choice((300, 500, 1000, 2000))) if kind == "area" else None
    return Location(kind, lat=lat, lon=lon, district=district.name, radius_m=radius)


def synthetic_projects(content: Content, count: int, seed: int = SEED) -> list[Project]:
    rng = random.Random(seed)
    chains = [c.slug for c in content.chains]
    parks = [p.slug for p in content.parks]
    districts = list(content.geo.districts.values())
    kinds = [k for k, weight in PLACEMENTS for _ in range(weight)]
    statuses = list(STATUSES)
    projects = []
    for i in range(count):
        name = "".join(rng.sample(SYLLABLES, 2)) + rng.choice(PRODUCTS) + rng.choice(KINDS) + rng.choice(PHASES)
        kind = rng.choice(kinds)
        ref = SourceRef(quote=f"{name}（合成数据）", url=f"https://example.invalid/synthetic/{i}")
        projects.append(Project(
            slug=f"synthetic-{i:05d}", path=Path(f"projects/synthetic-{i:05d}.md"), name=name,
            status=rng.choice(statuses), sources=(ref,),
            chain=rng.choice(chains) if rng.random() < 0.9 else None,
            park=rng.choice(parks) if kind == "park" or rng.random() < 0.2 else None,
            investment_yi=float(rng.choice((3, 5, 8, 10, 12.5, 20, 50, 100))) if rng.random() < 0.7 else None,
            location=synthetic_location(kind, rng.choice(districts), rng),
            milestones=(Milestone(f"{rng.randrange(2019, 2025)}-{rng.randrange(1, 13):02d}", "项目开工", ref),),
            summary=f"{name}是合成的基准测试数据。",
        ))
    return projects


def synthetic_atlas(count: int, seed: int = SEED, content_dir: Path = ROOT / "content") -> Atlas:
    """The real content's chains, parks, sources and geo, with ``count`` synthetic projects instead of the real ones."""
    content = read_content(content_dir)
    return resolve(replace(content, projects=tuple(synthetic_projects(content, count, seed))))
