"""Routes: which pages exist, which template draws each, and the data each one gets."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from atlas.model import GROUPS, STATUSES
from atlas.paths import STATIC_DIR, TEMPLATES_DIR  # noqa: F401 (re-exported)
from atlas.render import charts, text, views
from atlas.render.assets import static_files
from atlas.render.basemap import district_at
from atlas.render.data import chain_csv_path, data_files, data_page
from atlas.render.fingerprint import fingerprint
from atlas.render.maps import (
    TEXT_IN_HTML_LIMIT,
    MapFragment,
    MapOptions,
    MapSpec,
    Toggle,
    build_map,
    layer_toggles,
    status_toggles,
)
from atlas.render.reconcile import reconcile_all
from atlas.render.urls import UrlMode, absolute_url, relative_url
from atlas.render.views import entry_path
from atlas.resolve import Atlas, investment_total, status_counts

NAV = (("chains", "产业链"), ("parks", "园区"), ("projects", "项目"), ("map", "地图"), ("data", "数据"),
       ("about", "关于"))


@dataclass(frozen=True)
class Route:
    path: str  # output file, e.g. "chains/x/index.html"
    template: str
    title: str
    context: dict
    crumbs: tuple[tuple[str, str], ...] = ()  # (label, target path) above this page
    absolute_links: bool = False  # served at any address (404.html): link by absolute URL


@functools.lru_cache(maxsize=8)  # reused across renders (preview); Jinja reloads templates whose file changed
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
                progress: Callable[[int, int], None] | None = None,
                reuse: Callable[[str], bytes | None] | None = None) -> dict[str, bytes]:
    """Every output file of the site, in memory. Pure: same Atlas and mode, same bytes.

    ``reuse(path)`` may return a page's bytes from an earlier render that a change did not affect
    (``atlas.incremental``); None renders the page.
    """
    env = make_environment(templates)
    files, assets = _static_assets(atlas, mode)
    files.update(data_files(atlas, mode))  # plain names: downloads keep their address
    routes = list(site_routes(atlas))
    if mode.base_url:
        routes.append(not_found_route())
    for index, route in enumerate(routes, 1):
        kept = reuse(route.path) if reuse else None
        files[route.path] = kept if kept is not None else render_route(env, atlas, mode, route, assets).encode("utf-8")
        if progress:
            progress(index, len(routes))
    return files


def _static_assets(atlas: Atlas, mode: UrlMode) -> tuple[dict[str, bytes], dict[str, str]]:
    """Static files, content-hashed in published mode; and {static path: name written}."""
    files = static_files(atlas)
    return fingerprint(files) if mode.hashed_assets else (files, {})


def render_route(env: jinja2.Environment, atlas: Atlas, mode: UrlMode, route: Route,
                 assets: Mapping[str, str] | None = None) -> str:
    current = route.path
    if route.absolute_links:
        mode = mode.with_absolute_links()

    def href(kind: str, slug: str | None = None, anchor: str | None = None) -> str:
        if kind == "home":
            target = "index.html"
        elif kind in ("about", "data", "figures", "map", "search") or kind.startswith("page:"):
            target = f"{kind.removeprefix('page:')}/index.html"
        else:
            target = entry_path(kind, slug)
        return relative_url(target, current, mode, anchor)

    def file(path: str) -> str:  # a generated file that is not a page, e.g. data/projects.csv
        return relative_url(path, current, mode)

    def asset(path: str) -> str:
        name = f"static/{path}"
        return _static_url((assets or {}).get(name, name), current.count("/"), mode)

    maps = {request.map_id: map_view(atlas, request, current, mode) for request in route.context.get("maps", ())}
    context = {
        "has_search": True,
        "atlas": atlas, "site": atlas.settings, "route": route, "href": href, "asset": asset, "file": file, "nav": NAV,
        "canonical": None if route.absolute_links else absolute_url(route.path, mode), "mode": mode,
        "feed_url": absolute_url("feed.xml", mode),
        "map_css": _unique(css for m in maps.values() for css in m.fragment.css),
        "map_js": _unique(js for m in maps.values() for js in m.fragment.js),
        "crumbs": [(label, relative_url(target, current, mode)) for label, target in route.crumbs],
        **route.context,
        "maps": maps,
    }
    return env.get_template(route.template).render(context)


@functools.lru_cache(maxsize=4096)
def _static_url(target: str, depth: int, mode: UrlMode) -> str:
    """A link to a file under static/ from a page ``depth`` folders down: no page lives under static/,
    so only the depth matters, and thousands of pages share one computation (relpath is slow)."""
    return relative_url(target, "_/" * depth + "index.html", mode)


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
    yield Route("data/index.html", "data.html", "数据下载", data_page(atlas), (HOME,))
    yield Route("figures/index.html", "figures.html", "数据与口径", {"rows": reconcile_all(atlas)},
                (HOME, ("数据下载", "data/index.html")))
    yield Route("search/index.html", "search.html", "搜索", {}, (HOME,))
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
    label_approximate: bool = False  # district-precision markers carry a visible label (small maps)
    table: bool = False  # the full map: layer and status filters, and a table as the text alternative


@dataclass(frozen=True)
class MapView:
    fragment: MapFragment
    label: str  # aria-label
    height: str  # css class: map | map-small | map-full
    places: list[dict]  # in the order of the data block (the text alternative keeps it)
    unmapped: list[tuple[str, object]]  # (kind, entry) with no known location
    data: str  # the JSON data block (see atlas.render.maps.map_payload)
    layers: list[Toggle]
    statuses: list[Toggle]
    table: bool
    text_in_html: bool  # the text alternative is in the HTML (else atlas-map.js builds it from the data)
    legend: list[tuple[str, str]]  # (css key, words) for what the map shows
    approximate: bool  # some places are only known to their district


def map_view(atlas: Atlas, request: MapRequest, current: str, mode: UrlMode) -> MapView:
    settings = atlas.settings.map
    tiles = "none" if mode.name == "offline" else settings.tiles
    fragment = build_map(MapSpec(request.map_id, settings.center, settings.zoom, tiles))
    directory = current.split("/")[:-1]
    href = _entry_href(directory[0] if directory else "", len(directory), mode)
    index = views.place_index(atlas)
    places, unmapped = [], []
    for kind, entries in (("parks", request.parks), ("projects", request.projects)):
        for entry in entries:
            record = index.records.get((kind, entry.slug))
            if record is None:
                unmapped.append((kind, entry))
            else:
                places.append(record)
    text_in_html = len(places) <= TEXT_IN_HTML_LIMIT
    legend = views.map_legend(places)
    if text_in_html:  # the page links each place; a longer list is written by atlas-map.js, which has the URLs
        places = [{**place, "url": href[place["kind"]].replace("@", place["slug"])} for place in places]
    options = MapOptions(request.highlight_districts, request.label_approximate)
    data = index.encoder.payload(places, fragment.datum, href, options)
    layers = layer_toggles(places, index.labels["layer"], index.labels["layer"]) if request.table else []
    statuses = status_toggles(places, index.labels["status"]) if request.table else []
    return MapView(fragment, request.label, request.height, places, unmapped, data, layers, statuses, request.table,
                   text_in_html, legend, any(key == "district" for key, _ in legend))


@functools.lru_cache(maxsize=256)
def _entry_href(top: str, depth: int, mode: UrlMode) -> dict[str, str]:
    """From a page ``depth`` folders down under ``top``: each kind's entry URL, with ``@`` for the slug.

    A relative link to ``kind/@/`` depends only on the page's first folder and depth (no slug is "@"),
    so one computation serves every page of the same shape.
    """
    page = "/".join([top] + ["_"] * (depth - 1) + ["index.html"]) if depth else "index.html"
    return {kind: relative_url(entry_path(kind, "@"), page, mode) for kind in ("parks", "projects")}


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
        "charts": charts.home_charts(atlas),
        "maps": [_map("home-map", "青岛产业园区与重点项目总览地图", atlas.parks, atlas.projects)],
    })


def chain_route(atlas: Atlas, chain) -> Route:
    path = entry_path("chains", chain.slug)
    projects = atlas.projects_of_chain.get(chain.slug, ())
    parks = atlas.parks_of_chain.get(chain.slug, ())
    return Route(path, "chain.html", chain.name, {
        "chain": chain, "projects": projects, "parks": parks,
        "totals": investment_total(projects), "status_counts": status_counts(projects),
        "charts": charts.chain_charts(atlas, projects), "csv": chain_csv_path(chain.slug),
        "maps": [_map("chain-map", f"{chain.name}的园区与项目地图", parks, projects, label_approximate=True)],
    }, (HOME, ("产业链", "chains/index.html")))


def park_route(atlas: Atlas, park) -> Route:
    path = entry_path("parks", park.slug)
    projects = atlas.projects_of_park.get(park.slug, ())
    placement = atlas.placement("parks", park.slug)
    district = placement and (placement.district or district_at(atlas.content.geo, placement.lat, placement.lon))
    return Route(path, "park.html", park.name, {
        "park": park, "projects": projects, "totals": investment_total(projects),
        "status_counts": status_counts(projects), "placement": placement, "charts": charts.park_charts(projects),
        "maps": [_map("park-map", f"{park.name}及其项目地图", [park], projects,
                      highlight_districts=(district,) if district else (), label_approximate=True)],
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
        "maps": [_map("project-map", f"{project.name}位置地图", (), [project], highlight_districts=highlight,
                      height="map-small", label_approximate=True)] if placement else [],
    }, (HOME, ("重点项目", "projects/index.html")))


def not_found_route() -> Route:
    return Route("404.html", "404.html", "页面未找到", {}, absolute_links=True)


def map_route(atlas: Atlas) -> Route:
    path = "map/index.html"
    return Route(path, "map.html", "地图", {
        "maps": [_map("atlas-map", "青岛产业项目图集全图：按产业链分层，可按状态筛选", atlas.parks, atlas.projects,
                      height="map-full", table=True)],
    }, (HOME,))
