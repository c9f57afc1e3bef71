"""Routes: which pages exist, which template draws each, and the data each one gets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2

from atlas.model import GROUPS, STATUSES
from atlas.render import text, views
from atlas.render.assets import static_files
from atlas.render.maps import MapFragment, MapSpec, build_map
from atlas.render.urls import UrlMode, absolute_url, relative_url
from atlas.render.views import entry_path
from atlas.resolve import Atlas, investment_total, status_counts

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"

NAV = (("chains", "产业链"), ("parks", "园区"), ("projects", "项目"), ("map", "地图"), ("figures", "数据"),
       ("about", "关于"))


@dataclass(frozen=True)
class Route:
    path: str  # output file, e.g. "chains/x/index.html"
    template: str
    title: str
    context: dict
    crumbs: tuple[tuple[str, str], ...] = ()  # (label, target path) above this page


def make_environment(templates: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(text.FILTERS)
    env.globals.update(STATUSES=STATUSES, GROUPS=GROUPS, STAGE_LABELS=views.STAGE_LABELS)
    return env


def render_site(atlas: Atlas, mode: UrlMode, templates: Path = TEMPLATES_DIR,
                progress: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    """Every output file of the site, in memory. Pure: same Atlas and mode, same bytes."""
    env = make_environment(templates)
    files = static_files(atlas)
    routes = list(site_routes(atlas))
    for index, route in enumerate(routes, 1):
        files[route.path] = render_route(env, atlas, mode, route).encode("utf-8")
        if progress:
            progress(index, len(routes))
    return files


def render_route(env: jinja2.Environment, atlas: Atlas, mode: UrlMode, route: Route) -> str:
    current = route.path

    def href(kind: str, slug: str | None = None, anchor: str | None = None) -> str:
        if kind == "home":
            target = "index.html"
        elif kind in ("about", "figures", "map", "search") or kind.startswith("page:"):
            target = f"{kind.removeprefix('page:')}/index.html"
        else:
            target = entry_path(kind, slug)
        return relative_url(target, current, mode, anchor)

    def asset(path: str) -> str:
        return relative_url(f"static/{path}", current, mode)

    maps = {request.map_id: map_view(atlas, request, current, mode) for request in route.context.get("maps", ())}
    context = {
        "has_search": False,  # the search page comes with the search index
        "atlas": atlas, "site": atlas.settings, "route": route, "href": href, "asset": asset, "nav": NAV,
        "canonical": absolute_url(route.path, mode), "mode": mode,
        "map_css": _unique(css for m in maps.values() for css in m.fragment.css),
        "map_js": _unique(js for m in maps.values() for js in m.fragment.js),
        "crumbs": [(label, relative_url(target, current, mode)) for label, target in route.crumbs],
        **route.context,
        "maps": maps,
    }
    return env.get_template(route.template).render(context)


def _unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- the routes -------------------------------------------------------------------------------------

HOME = ("首页", "index.html")


def site_routes(atlas: Atlas) -> Iterator[Route]:
    yield home_route(atlas)
    yield Route("chains/index.html", "chains.html", "产业链", {"groups": atlas.chains_by_group}, (HOME,))
    for chain in atlas.chains:
        yield chain_route(atlas, chain)
    yield Route("parks/index.html", "parks.html", "专业园区", {}, (HOME,))
    for park in atlas.parks:
        yield park_route(atlas, park)
    yield projects_index_route(atlas)
    for project in atlas.projects:
        yield project_route(atlas, project)
    yield map_route(atlas)
    yield Route("sources/index.html", "sources.html", "来源", {"source_groups": views.source_groups(atlas)},
                (HOME,))
    yield Route("figures/index.html", "figures.html", "数据与口径", {"figures": atlas.content.figures}, (HOME,))
    for page in atlas.content.pages:
        yield Route(f"{page.slug}/index.html", "page.html", page.title, {"page": page}, (HOME,))


@dataclass(frozen=True)
class MapRequest:
    """A map a page asks for: which entries, before URLs (which depend on the output mode) exist."""

    map_id: str
    label: str
    parks: tuple = ()
    projects: tuple = ()
    highlight_districts: tuple[str, ...] = ()
    height: str = "map"


@dataclass(frozen=True)
class MapView:
    fragment: MapFragment
    places: list[dict]
    unmapped: list[tuple[str, object]]  # (kind, entry) with no known location


def map_view(atlas: Atlas, request: MapRequest, current: str, mode: UrlMode) -> MapView:
    places, unmapped = [], []
    for kind, entries in (("parks", request.parks), ("projects", request.projects)):
        for entry in entries:
            url = relative_url(entry_path(kind, entry.slug), current, mode)
            place = views.place_data(atlas, kind, entry, url)
            if place is None:
                unmapped.append((kind, entry))
            else:
                places.append(place)
    settings = atlas.settings.map
    spec = MapSpec(map_id=request.map_id, label=request.label, places=places, center=settings.center,
                   zoom=settings.zoom, tiles="none" if mode.name == "offline" else settings.tiles,
                   highlight_districts=request.highlight_districts, height=request.height)
    return MapView(build_map(spec), places, unmapped)


def _map(map_id: str, label: str, parks=(), projects=(), **options) -> MapRequest:
    return MapRequest(map_id, label, tuple(parks), tuple(projects), **options)


def home_route(atlas: Atlas) -> Route:
    path = "index.html"
    figures = {f.id: f for f in atlas.content.figures}
    headline = [figures[i] for i in atlas.settings.headline_figures if i in figures]
    return Route(path, "home.html", atlas.settings.title, {
        "headline": headline,
        "totals": investment_total(atlas.projects),
        "groups": atlas.chains_by_group,
        "milestones": views.timeline(atlas, limit=8),
        "maps": [_map("home-map", "青岛产业园区与重点项目总览地图", atlas.parks, atlas.projects)],
    })


def chain_route(atlas: Atlas, chain) -> Route:
    path = entry_path("chains", chain.slug)
    projects = atlas.projects_of_chain.get(chain.slug, ())
    parks = atlas.parks_of_chain.get(chain.slug, ())
    return Route(path, "chain.html", chain.name, {
        "chain": chain, "projects": projects, "parks": parks,
        "totals": investment_total(projects), "status_counts": status_counts(projects),
        "maps": [_map("chain-map", f"{chain.name}的园区与项目地图", parks, projects)],
    }, (HOME, ("产业链", "chains/index.html")))


def park_route(atlas: Atlas, park) -> Route:
    path = entry_path("parks", park.slug)
    projects = atlas.projects_of_park.get(park.slug, ())
    district = park.location.district if park.location and park.location.district else None
    return Route(path, "park.html", park.name, {
        "park": park, "projects": projects, "totals": investment_total(projects),
        "status_counts": status_counts(projects), "placement": atlas.placement("parks", park.slug),
        "maps": [_map("park-map", f"{park.name}及其项目地图", [park], projects,
                           highlight_districts=(district,) if district else ())],
    }, (HOME, ("专业园区", "parks/index.html")))


def projects_index_route(atlas: Atlas) -> Route:
    return Route("projects/index.html", "projects.html", "重点项目", {
        "rows": [views.project_row(atlas, p) for p in sorted(atlas.projects, key=lambda p: p.slug)],
        "filters": views.project_filters(atlas), "totals": investment_total(atlas.projects),
    }, (HOME,))


def project_route(atlas: Atlas, project) -> Route:
    path = entry_path("projects", project.slug)
    placement = atlas.placement("projects", project.slug)
    highlight = (placement.district,) if placement and placement.precision == "district" else ()
    return Route(path, "project.html", project.name, {
        "project": project, "row": views.project_row(atlas, project), "placement": placement,
        "last_milestone": views.last_milestone(project),
        "maps": [_map("project-map", f"{project.name}位置地图", (), [project],
                           highlight_districts=highlight, height="map-small")],
    }, (HOME, ("重点项目", "projects/index.html")))


def map_route(atlas: Atlas) -> Route:
    path = "map/index.html"
    return Route(path, "map.html", "地图", {
        "maps": [_map("atlas-map", "青岛产业项目图集全图", atlas.parks, atlas.projects,
                           height="map-full")],
    }, (HOME,))
