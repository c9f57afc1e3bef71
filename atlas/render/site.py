"""Routes: which pages exist, which template draws each, and the data each one gets."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
from markupsafe import Markup

from atlas import collector
from atlas.i18n import LANGUAGES, N_, NAMES, PREFIX, Language, install_translations, language, languages
from atlas.model import GROUPS, STATUSES
from atlas.paths import STATIC_DIR, TEMPLATES_DIR  # noqa: F401 (re-exported)
from atlas.render import charts, pool, search, text, views
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
    datum_of,
    in_language,
    layer_toggles,
    status_toggles,
)
from atlas.render.reconcile import reconcile_all
from atlas.render.stencil import PlaceholderPlace, Stencils, each_row, placeholder
from atlas.render.urls import UrlMode, absolute_url, relative_url
from atlas.render.views import entry_path
from atlas.resolve import Atlas, investment_total, status_counts

NAV = (("chains", N_("产业链")), ("parks", N_("园区")), ("projects", N_("项目")), ("map", N_("地图")),
       ("data", N_("数据")), ("about", N_("关于")))


@dataclass(frozen=True)
class Route:
    path: str  # output file, e.g. "chains/x/index.html"
    template: str
    title: str
    context: dict
    crumbs: tuple[tuple[str, str], ...] = ()  # (label, target path) above this page
    absolute_links: bool = False  # served at any address (404.html): link by absolute URL
    lang: str = "zh"  # the language of the page; its path starts with that language's prefix


def twin_path(path: str, lang: str) -> str:
    """The output path of the same page in language ``lang``."""
    for prefix in PREFIX.values():
        if prefix and path.startswith(prefix):
            path = path[len(prefix):]
            break
    return PREFIX[lang] + path


def make_environment(templates: Path = TEMPLATES_DIR, lang: str = "zh") -> jinja2.Environment:
    """One environment per language (its translations are installed by ``render_site`` on each render),
    reused across renders (preview) until a file under ``templates`` changes."""
    return _environment(templates, lang, _templates_stamp(Path(templates)))


def _templates_stamp(templates: Path) -> tuple:
    """What tells an edited template folder from the last one seen: every file's name, size and mtime."""
    files = sorted(path for path in templates.rglob("*") if path.is_file())
    return tuple((str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in files)


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every environment of this process: the languages' environments (and a
    fresh one after a template edit) compile each unchanged template once, not once each (~20 ms a template)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # discarded by Jinja if the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


@functools.lru_cache(maxsize=8)
def _environment(templates: Path, lang: str, stamp: tuple) -> jinja2.Environment:
    # auto_reload off: Jinja would stat each template on every include of every page (thousands of pages);
    # the stamp in the memo's key gives a fresh environment when a template changed instead
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        auto_reload=False,
        cache_size=-1,  # a plain dict: the default LRU takes a lock on every include of every page
        bytecode_cache=_BYTECODE,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters.update(text.FILTERS)
    env.globals.update(STATUSES=STATUSES, GROUPS=GROUPS, STAGE_LABELS=views.STAGE_LABELS, each_row=each_row,
                       map_html=_map_html_in_template)
    return env


@collector.for_builds()  # thousands of routes and pages: see there
def render_site(atlas: Atlas, mode: UrlMode, templates: Path = TEMPLATES_DIR,
                progress: Callable[[int, int], None] | None = None,
                reuse: Callable[[Route, Mapping[str, str]], bytes | None] | None = None,
                workers: int = 1) -> dict[str, bytes]:
    """Every output file of the site, in memory. Pure: same Atlas and mode, same bytes.

    ``reuse(route, asset names)`` may return a page's bytes from an earlier render that a change did not
    affect (``atlas.incremental``, ``atlas.cache``); None renders the page. ``workers`` > 1 renders on
    that many processes when there are enough pages (``atlas.render.pool``): the bytes are the same.
    """
    langs = {lang.code: lang for lang in languages()}  # compiles the catalogs: a broken one stops here
    envs = {}
    for code, lang in langs.items():
        envs[code] = make_environment(templates, code)
        install_translations(envs[code], lang.translations)  # Jinja's newstyle gettext, faster
    routes = [route for lang in langs.values() for route in site_routes(atlas, lang)]
    if mode.base_url:
        routes.append(not_found_route(langs["zh"]))
    map_ids = dict.fromkeys(request.map_id for route in routes for request in route.context.get("maps", ()))
    files, assets = _static_assets(atlas, mode, tuple(langs.values()), tuple(map_ids))
    files.update(data_files(atlas, mode))  # plain names: downloads keep their address
    kept = {route.path: reuse(route, assets) for route in routes} if reuse else {}
    fresh = [route for route in routes if kept.get(route.path) is None]
    for route in fresh:  # compiled once here, so forked workers (atlas.render.pool) inherit them
        envs[route.lang].get_template(route.template)
    contexts: dict[int, dict] = {}  # of the pages about to render, in the process that renders them

    def prepare(start: int, stop: int) -> None:
        contexts.clear()
        for i in range(start, stop):
            contexts[i] = page_context(envs[fresh[i].lang], atlas, mode, fresh[i], assets, langs[fresh[i].lang])

    def render_one(i: int) -> bytes:
        route = fresh[i]
        context = contexts.pop(i, None) or page_context(envs[route.lang], atlas, mode, route, assets, langs[route.lang])
        return envs[route.lang].get_template(route.template).render(context).encode("utf-8")
    pages = pool.render_all(render_one, len(fresh), workers, progress, prepare)
    rendered = dict(zip((route.path for route in fresh), pages))
    for route in routes:
        files[route.path] = rendered[route.path] if kept.get(route.path) is None else kept[route.path]
    return files


def _static_assets(atlas: Atlas, mode: UrlMode, langs: tuple[Language, ...] = (),
                   map_ids: tuple[str, ...] = ()) -> tuple[dict[str, bytes], dict[str, str]]:
    """Static files, content-hashed in published mode; and {static path: name written}. ``map_ids``: the maps the
    pages show, whose Folium scripts are files too."""
    files = static_files(atlas)
    for lang in langs or (text.CHINESE,):  # one places script for every map of a language, one search index
        files.update(views.places_files(atlas, [datum_of(map_tiles(atlas, mode))], lang))
        if not lang.primary:
            files[search.index_path(lang)] = search.search_index_file(atlas, lang)
    for map_id in map_ids:  # the same script in every language (maps.in_language)
        fragment = _fragment(atlas.settings.map, map_id, mode.name == "offline", text.CHINESE.code)
        files["static/" + fragment.script_path] = fragment.script.encode("utf-8")
    return fingerprint(files) if mode.hashed_assets else (files, {})


def map_tiles(atlas: Atlas, mode: UrlMode) -> str:
    """The tiles under every map: none in the offline bundle (the vector base map alone)."""
    return "none" if mode.name == "offline" else atlas.settings.map.tiles


def page_context(env: jinja2.Environment, atlas: Atlas, mode: UrlMode, route: Route,
                 assets: Mapping[str, str] | None = None, lang: Language | None = None) -> dict:
    """What a page's template gets: its route's data, links from its folder, its maps (a small map already as
    HTML), the language's helpers."""
    current = route.path
    lang = lang or language(route.lang)
    if route.absolute_links:
        mode = mode.with_absolute_links()

    def href(kind: str, slug: str | None = None, anchor: str | None = None) -> str:
        if kind == "home":
            target = "index.html"
        elif kind in ("about", "data", "figures", "map", "search") or kind.startswith("page:"):
            target = f"{kind.removeprefix('page:')}/index.html"
        else:
            target = entry_path(kind, slug)
        return relative_url(lang.prefix + target, current, mode, anchor)

    def file(path: str) -> str:  # a generated file that is not a page, e.g. data/projects.csv
        return relative_url(path, current, mode)

    def asset(path: str) -> str:
        return _asset_url(path, current.count("/"), mode, assets)

    maps = {request.map_id: map_view(atlas, request, current, mode, lang) for request in route.context.get("maps", ())}
    twins = [] if route.absolute_links else [
        (code, NAMES[code], relative_url(twin_path(current, code), current, mode),
         absolute_url(twin_path(current, code), mode)) for code in LANGUAGES]
    context = {
        "has_search": True, "lang": lang, "twins": twins, **text.language_helpers(lang),
        "entry_of": lambda kind, slug: getattr(atlas, f"{kind[:-1]}_by_slug")[slug],
        "atlas": atlas, "site": atlas.settings, "route": route, "href": href, "asset": asset, "file": file, "nav": NAV,
        "canonical": None if route.absolute_links else absolute_url(route.path, mode), "mode": mode,
        "feed_url": absolute_url(lang.path("feed.xml"), mode),
        **map_asset_tags(env, tuple(view.fragment for view in maps.values()), current.count("/"), mode, assets),
        "crumbs": [(lang.gettext(label), relative_url(lang.prefix + target, current, mode))
                   for label, target in route.crumbs],
        **route.context,
        "maps": maps,
    }
    for map_id, view in maps.items():
        if view.small:  # made now: a build makes the contexts of many pages in a row, where this is cheaper
            view.html = small_map_html(env, context, map_id, view, current)
    return context


@functools.lru_cache(maxsize=4096)
def _static_url(target: str, depth: int, mode: UrlMode) -> str:
    """A link to a file under static/ from a page ``depth`` folders down: no page lives under static/,
    so only the depth matters, and thousands of pages share one computation (relpath is slow)."""
    return relative_url(target, "_/" * depth + "index.html", mode)


def _asset_url(path: str, depth: int, mode: UrlMode, assets: Mapping[str, str] | None) -> str:
    """A link to ``static/path`` (by its fingerprinted name in ``assets``, if any) from ``depth`` folders down."""
    name = f"static/{path}"
    return _static_url(assets.get(name, name) if assets else name, depth, mode)


class _MapAssetTags:
    """The stylesheet and script tags of a page's maps (templates/partials/map_assets.html, shown by base.html),
    made once per render for each set of maps and folder depth: thousands of pages share a few."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.assets: Mapping[str, str] | None = None  # the render's fingerprinted names the tags were made with
        self.tags: dict[tuple, dict[str, Markup]] = {}

    def __call__(self, env: jinja2.Environment, fragments: tuple[MapFragment, ...], depth: int, mode: UrlMode,
                 assets: Mapping[str, str] | None) -> dict[str, Markup]:
        if self.assets is not assets:  # a new render: new fingerprinted names
            self.clear()
            self.assets = assets
        key = (env, fragments, depth, mode)
        tags = self.tags.get(key)
        if tags is None:
            macros = env.get_template(MAP_ASSETS_PARTIAL).module
            tags = self.tags[key] = {
                "map_stylesheets": macros.stylesheets(
                    [_asset_url(css, depth, mode, assets) for css in _unique(c for f in fragments for c in f.css)]),
                "map_scripts": macros.scripts(
                    [_asset_url(js, depth, mode, assets) for js in _unique(j for f in fragments for j in f.js)])}
        return tags


map_asset_tags = _MapAssetTags()


def _unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- the routes -------------------------------------------------------------------------------------

HOME = (N_("首页"), "index.html")


def site_routes(atlas: Atlas, lang: Language | None = None) -> Iterator[Route]:
    """Every page of one language (every language when ``lang`` is None), paths under its prefix."""
    if lang is None:
        for each in languages():
            yield from site_routes(atlas, each)
        return
    for route in _routes(atlas, lang):
        yield replace(route, path=lang.path(route.path), lang=lang.code)


def _routes(atlas: Atlas, lang: Language) -> Iterator[Route]:
    _ = lang.gettext
    yield home_route(atlas, lang)
    yield Route("chains/index.html", "chains.html", _("产业链"), {"groups": atlas.chains_by_group}, (HOME,))
    for chain in atlas.chains:
        yield chain_route(atlas, chain, lang)
    yield Route("parks/index.html", "parks.html", _("专业园区"), {}, (HOME,))
    for park in atlas.parks:
        yield park_route(atlas, park, lang)
    yield projects_index_route(atlas, lang)
    for project in atlas.projects:
        yield project_route(atlas, project, lang)
    yield map_route(atlas, lang)
    yield Route("sources/index.html", "sources.html", _("来源"), {"source_groups": views.source_groups(atlas, lang)},
                (HOME,))
    yield Route("data/index.html", "data.html", _("数据下载"), data_page(atlas, lang), (HOME,))
    yield Route("figures/index.html", "figures.html", _("数据与口径"), {"rows": reconcile_all(atlas, lang)},
                (HOME, (N_("数据下载"), "data/index.html")))
    yield Route("search/index.html", "search.html", _("搜索"),
                {"search_index": search.index_path(lang).removeprefix("static/"), "search_words": search_words(lang)},
                (HOME,))
    for page in atlas.content.pages:
        title = page.title if lang.primary else page.title_en or page.title
        yield Route(f"{page.slug}/index.html", "page.html", title, {"page": page}, (HOME,))


def search_words(lang: Language) -> dict[str, str]:
    """What static/js/search.js writes on the page, in the page's language ({query}, {count}, {shown} filled in)."""
    _ = lang.gettext
    return {"prompt": _("输入项目、园区、产业链、企业或区（市）的名称。"), "none": _("没有找到与“{query}”相关的条目。"),
            "found": _("“{query}”：找到 {count} 条结果"), "more": _("，显示前 {shown} 条"), "end": _("。"),
            "loading": _("正在载入搜索索引…"), "broken": _("搜索无法使用："), "chain": _("产业链"), "park": _("园区"),
            "district": _("区（市）"), "companies": _("企业"), "colon": _("："),
            "other_lang": "en" if lang.primary else "zh-CN"}


# Not frozen (so not hashable: memoise by its fields, as _frame does): every project page makes one, and a frozen
# __init__ costs three times as much.
@dataclass(slots=True)
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


@dataclass(slots=True)  # not frozen: thousands of pages make one, and a frozen __init__ costs more
class MapView:
    fragment: MapFragment
    label: str  # aria-label
    height: str  # css class: map | map-small | map-full
    # sequences: a project page's map has tuples (one allocation less each, on thousands of pages)
    places: Sequence[dict]  # in the order of the data block (the text alternative keeps it)
    links: Sequence[tuple[str, dict]]  # (page URL, place) for the text alternative in the HTML, else empty
    unmapped: Sequence[tuple[str, dict]]  # (page URL, {kind, slug, name_html}) of entries with no known location
    data: str  # the JSON data block (see atlas.render.maps.map_payload)
    layers: Sequence[Toggle]
    statuses: Sequence[Toggle]
    table: bool
    text_in_html: bool  # the text alternative is in the HTML (else atlas-map.js builds it from the data)
    legend: tuple[tuple[str, str], ...]  # (css key, words) for what the map shows
    approximate: bool  # some places are only known to their district
    html: PrintedHtml | None = None  # a small map's HTML, made with the page's context (page_context)

    @property
    def small(self) -> bool:
        """A few places listed in the HTML, nothing unmapped, no filters: the map of a project page."""
        return not self.table and self.text_in_html and not self.unmapped and len(self.links) <= SMALL_MAP_PLACES


def map_view(atlas: Atlas, request: MapRequest, current: str, mode: UrlMode, lang: Language | None = None) -> MapView:
    """What a page's map needs; a project page's small map costs a few microseconds (thousands of pages have one)."""
    lang = lang or text.CHINESE
    directory = current.removeprefix(lang.prefix).split("/")[:-1]
    fragment, href, options = _frame(
        atlas.settings.map, request.map_id, mode, lang, directory[0] if directory else "", len(directory),
        request.highlight_districts, request.label_approximate)
    index = views.place_index(atlas, lang)
    if len(request.projects) == 1 and not request.parks and not request.table:  # a project page's map
        place = index.records.get(("projects", request.projects[0].slug))
        if place is not None:
            one = (place,)
            return MapView(fragment, request.label, request.height, one,
                           ((href["projects"].replace("@", place["slug"]), place),), (),
                           index.encoder.payload(one, fragment.datum, href, options), (), (), False, True,
                           views.map_legend(one, lang), place["draw"] == "district")
    chosen = index.selection(request.parks, request.projects)
    places = chosen.places
    text_in_html = len(places) <= TEXT_IN_HTML_LIMIT
    # the page links each place; a longer list is written by atlas-map.js, which has the URLs
    links = [(href[place["kind"]].replace("@", place["slug"]), place) for place in places] if text_in_html else []
    unmapped = [(href[info["kind"]].replace("@", info["slug"]), info) for info in chosen.unplaced]
    data = index.encoder.settings(href, fragment.datum, options) + chosen.shown
    layers = layer_toggles(places, index.labels["layer"], index.labels["layer"]) if request.table else []
    statuses = status_toggles(places, index.labels["status"]) if request.table else []
    return MapView(fragment, request.label, request.height, places, links, unmapped, data, layers, statuses,
                   request.table, text_in_html, chosen.legend, chosen.approximate)


@functools.lru_cache(maxsize=1024)
def _frame(settings, map_id: str, mode: UrlMode, lang: Language, top: str, depth: int, highlight: tuple[str, ...],
           label_approximate: bool) -> tuple[MapFragment, dict[str, str], MapOptions]:
    """What every map of one id on pages of one language and folder shape with the same options shares: its Folium
    part, each kind's entry URL (``_entry_href``) and the options (one object, so the data block's settings are found
    by its identity)."""
    return (_fragment(settings, map_id, mode.name == "offline", lang.code), _entry_href(top, depth, mode, lang.prefix),
            MapOptions(highlight, label_approximate))


MAP_PARTIAL = "partials/map.html"
MAP_ASSETS_PARTIAL = "partials/map_assets.html"
# Partials a page shows through Python (map_html, map_asset_tags), not by an include its template names:
# they belong to every page's templates (incremental.template_closure).
PARTIALS_FROM_CODE = (MAP_PARTIAL, MAP_ASSETS_PARTIAL)
SMALL_MAP_PLACES = 3
_STENCILS: dict[tuple, Stencils] = {}  # per environment and installed gettext (a render of one language)


@jinja2.pass_context
def _map_html_in_template(template_context: jinja2.runtime.Context, map_id: str) -> Markup | PrintedHtml:
    """``map_html(id)`` as templates call it (a global): from the template's own context, so that a page's
    context holds no function that refers back to it (a cycle would keep every page alive until the
    collector ran, and make it run more often)."""
    page = template_context.parent
    return map_html(template_context.environment, page, map_id, page["route"].path)


def map_html(env: jinja2.Environment, context: dict, map_id: str, current: str) -> Markup | PrintedHtml:
    """A page's map with its legend and text alternative (templates/partials/map.html), as ``map_html(id)``
    in a page's template; a small map comes from a stencil."""
    view = context["maps"][map_id]
    if view.html is not None:
        return view.html
    if view.small:
        return small_map_html(env, context, map_id, view, current)
    return Markup(env.get_template(MAP_PARTIAL).render({**context, "map_id": map_id}))


def small_map_html(env: jinja2.Environment, context: dict, map_id: str, view: MapView, current: str) -> PrintedHtml:
    """The partial's output for a small map, from a stencil made once per shape (``atlas.render.stencil``).

    Besides the view's printed values (label, data block, each place's link, name and note) a small map's HTML
    may depend only on the shape below and on what every page in the same folder shares.
    """
    key = (env, env.globals.get("gettext"))
    stencils = _STENCILS.get(key)
    if stencils is None:
        if len(_STENCILS) >= 8:
            del _STENCILS[next(iter(_STENCILS))]
        stencils = _STENCILS[key] = Stencils(_map_value)
    folder = current.rsplit("/", 2)[0] if current.count("/") > 1 else current  # links are alike from each page in it
    shape = (view.fragment, view.height, view.legend, view.approximate, len(view.links), folder)

    stencil = stencils.ready(shape)
    if stencil is not None:  # most pages: no functions to make for a first render
        return PrintedHtml(stencil.fill(view))

    def with_placeholders() -> str:
        stand_in = replace(view, label=placeholder("label"), data=placeholder("data"),
                           links=[(placeholder(f"url.{i}"), PlaceholderPlace(f"place.{i}"))
                                  for i in range(len(view.links))])
        return env.get_template(MAP_PARTIAL).render({**context, "map_id": map_id, "maps": {map_id: stand_in}})

    return PrintedHtml(stencils.render(shape, view, with_placeholders,
                                       lambda: env.get_template(MAP_PARTIAL).render({**context, "map_id": map_id})))


class PrintedHtml:
    """HTML that a template prints as it is: what ``map_html`` gives a small map. Jinja's autoescape makes one Markup
    of it; had it been a Markup already, markupsafe would copy it twice more (2 µs a page for its 2,300 characters,
    on ten thousand pages) and making that Markup costs another copy."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _map_value(name: str) -> Callable[[MapView], object]:
    """What reads the value a small map's placeholder ``name`` stands for from a MapView."""
    field, _, rest = name.partition(".")
    if field == "url":
        index = int(rest)
        return lambda view: view.links[index][0]
    if field == "place":
        position, key = rest.split(".", 1)
        index = int(position)
        return lambda view: view.links[index][1][key]
    if field in ("label", "data"):
        return operator.attrgetter(field)
    raise LookupError(name)


@functools.lru_cache(maxsize=64)
def _fragment(settings, map_id: str, offline: bool, language: str) -> MapFragment:
    """The Folium map of ``map_id``: every page with one shares it, only their data blocks differ."""
    tiles = "none" if offline else settings.tiles
    return in_language(build_map(MapSpec(map_id, settings.center, settings.zoom, tiles)), language)


@functools.lru_cache(maxsize=256)
def _entry_href(top: str, depth: int, mode: UrlMode, prefix: str = "") -> dict[str, str]:
    """From a page ``depth`` folders down under ``top`` (in a language's folder ``prefix``): each kind's entry
    URL, with ``@`` for the slug.

    A relative link to ``kind/@/`` depends only on the page's first folder and depth (no slug is "@"),
    so one computation serves every page of the same shape.
    """
    page = "/".join([top] + ["_"] * (depth - 1) + ["index.html"]) if depth else "index.html"
    return {kind: relative_url(prefix + entry_path(kind, "@"), prefix + page, mode) for kind in ("parks", "projects")}


def _map(map_id: str, label: str, parks=(), projects=(), **options) -> MapRequest:
    return MapRequest(map_id, label, tuple(parks), tuple(projects), **options)


def home_route(atlas: Atlas, lang: Language) -> Route:
    path = "index.html"
    figures = {f.id: f for f in atlas.content.figures}
    headline = [figures[i] for i in atlas.settings.headline_figures if i in figures]
    title = atlas.settings.title if lang.primary else atlas.settings.title_en or atlas.settings.title
    return Route(path, "home.html", title, {
        "headline": headline,
        "totals": investment_total(atlas.projects),
        "groups": atlas.chains_by_group,
        "milestones": views.timeline(atlas, limit=8, lang=lang),
        "charts": charts.home_charts(atlas, lang),
        "maps": [_map("home-map", lang.gettext("青岛产业园区与重点项目总览地图"), atlas.parks, atlas.projects)],
    })


def chain_route(atlas: Atlas, chain, lang: Language) -> Route:
    path = entry_path("chains", chain.slug)
    projects = atlas.projects_of_chain.get(chain.slug, ())
    parks = atlas.parks_of_chain.get(chain.slug, ())
    name = text.plain(lang, chain, "name")
    return Route(path, "chain.html", name, {
        "chain": chain, "projects": projects, "parks": parks,
        "totals": investment_total(projects), "status_counts": status_counts(projects),
        "charts": charts.chain_charts(atlas, projects, lang), "csv": chain_csv_path(chain.slug),
        "maps": [_map("chain-map", lang.gettext("%(name)s的园区与项目地图", name=name), parks, projects,
                      label_approximate=True)],
    }, (HOME, (N_("产业链"), "chains/index.html")))


def park_route(atlas: Atlas, park, lang: Language) -> Route:
    path = entry_path("parks", park.slug)
    projects = atlas.projects_of_park.get(park.slug, ())
    placement = atlas.placement("parks", park.slug)
    district = placement and (placement.district or district_at(atlas.content.geo, placement.lat, placement.lon))
    name = text.plain(lang, park, "name")
    return Route(path, "park.html", name, {
        "park": park, "projects": projects, "totals": investment_total(projects),
        "status_counts": status_counts(projects), "placement": placement,
        "charts": charts.park_charts(projects, lang),
        "maps": [_map("park-map", lang.gettext("%(name)s及其项目地图", name=name), [park], projects,
                      highlight_districts=(district,) if district else (), label_approximate=True)],
    }, (HOME, (N_("专业园区"), "parks/index.html")))


def projects_index_route(atlas: Atlas, lang: Language) -> Route:
    return Route("projects/index.html", "projects.html", lang.gettext("重点项目"), {
        "rows": [views.project_row(atlas, p, lang) for p in sorted(atlas.projects, key=lambda p: p.slug)],
        "filters": views.project_filters(atlas, lang), "totals": investment_total(atlas.projects),
    }, (HOME,))


def project_route(atlas: Atlas, project, lang: Language) -> Route:
    path = entry_path("projects", project.slug)
    placement = atlas.placement("projects", project.slug)
    highlight = (placement.district,) if placement and placement.precision == "district" else ()
    name = text.plain(lang, project, "name")
    return Route(path, "project.html", name, {
        "project": project, "row": views.project_row(atlas, project, lang), "placement": placement,
        "last_milestone": views.last_milestone(project),
        "maps": [_map("project-map", lang.gettext("%(name)s位置地图", name=name), (), [project],
                      highlight_districts=highlight, height="map-small", label_approximate=True)] if placement else [],
    }, (HOME, (N_("重点项目"), "projects/index.html")))


def not_found_route(lang: Language | None = None) -> Route:
    title = lang.gettext("页面未找到") if lang else "页面未找到"
    return Route("404.html", "404.html", title, {}, absolute_links=True)


def map_route(atlas: Atlas, lang: Language) -> Route:
    path = "map/index.html"
    return Route(path, "map.html", lang.gettext("地图"), {
        "maps": [_map("atlas-map", lang.gettext("青岛产业项目图集全图：按产业链分层，可按状态筛选"), atlas.parks,
                      atlas.projects, height="map-full", table=True)],
    }, (HOME,))
