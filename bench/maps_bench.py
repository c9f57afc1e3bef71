"""Maps at scale: N synthetic projects → full-map page size, time to interactive in headless Chromium,
and the build time the maps add.

    .venv/bin/python bench/maps_bench.py [--projects 10000] [--seed 20231016] [--repeat 3] [--runs 3]

Prints figures and asserts nothing (the targets from the issue are printed beside them). The atlas is
``bench.synthetic``'s: the real chains, parks and districts plus N made-up projects. Build times are the
best of ``--repeat`` renders in CPU seconds of this process (other work on the machine inflates wall
time), with wall time beside them. "Maps add" = a render of every page minus a render of every page
that shows no map and computes none.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from atlas.render import basemap, site, text, views  # noqa: E402
from atlas.render.maps import places_path  # noqa: E402

try:
    from atlas.i18n import languages  # noqa: E402
except ImportError:  # a checkout without the English edition
    languages = None
from atlas.render.urls import UrlMode  # noqa: E402
from bench.synthetic import SEED, synthetic_atlas  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
MAP_PAGE = "map/index.html"
PROJECT_PAGE = re.compile(r"^(?:[a-z]{2}/)?projects/[^/]+/index\.html$")  # a small map, in any edition
PLACES = "static/" + places_path(basemap.WGS84)  # offline mode: no tiles, so WGS-84


def timed(function) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = function()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def best(function, repeat: int) -> tuple[float, float, object]:
    runs = [timed(function) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def render_without_maps(atlas, mode: UrlMode, templates: Path) -> dict[str, bytes]:
    """Every page as usual, but no map is computed or shown."""
    routes = site.site_routes

    def no_maps(atlas_, *language):
        for route in routes(atlas_, *language):
            yield replace(route, context={**route.context, "maps": []}) if route.context.get("maps") else route
    site.site_routes = no_maps
    try:
        return site.render_site(atlas, mode, templates=templates)
    finally:
        site.site_routes = routes


def templates_without_maps(folder: Path) -> Path:
    """A copy of the templates whose pages show no map (no ``map_html(…)`` call)."""
    shutil.copytree(site.TEMPLATES_DIR, folder)
    for template in folder.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        template.write_text(re.sub(r"\{\{ map_html\([^)]*\) -?\}\}", "", text), encoding="utf-8")
    return folder


def render_fresh(atlas, mode: UrlMode, **kwargs) -> dict[str, bytes]:
    views._PLACES.clear()  # count the once-per-atlas place index in every run
    site.build_map.cache_clear()
    site.map_asset_tags.clear()
    return site.render_site(atlas, mode, **kwargs)


# What base.html adds for a page's maps (their stylesheets, scripts and Folium script), as base.html writes it.
BASE_MAP_PART = """{{ map_stylesheets }}{{ map_scripts }}{% for map in maps.values() %}<script charset="utf-8">
{{ map.fragment.script|safe }}</script>
{% endfor %}"""


def maps_alone(atlas, mode: UrlMode, routes: list, fresh_index: bool = True) -> int:
    """Only the map work of a build: the place index, the shared places script, every map view, its partial and
    its part of base.html.

    With ``fresh_index`` False the place index and the places script are kept (only the per-map pieces are
    dropped), so that a part of the routes can be timed on its own.
    """
    written = 0
    if fresh_index:
        views._PLACES.clear()
        written += sum(len(data) for data in places_scripts(atlas, routes).values())
    else:
        for lang in list(EDITIONS().values()) or [None]:
            views.place_index(atlas, *([lang] if lang else [])).encoder._pieces.clear()
    site.build_map.cache_clear()
    site.map_asset_tags.clear()
    env = site.make_environment()
    if "jinja2.ext.InternationalizationExtension" in env.extensions:
        env.install_null_translations(newstyle=True)  # the primary language: its words are the msgids
    base_part = env.from_string(BASE_MAP_PART)
    helpers = text.language_helpers(text.CHINESE) if hasattr(text, "language_helpers") else {}

    def entry_of(kind: str, slug: str):  # as site.render_route gives templates
        return getattr(atlas, f"{kind[:-1]}_by_slug")[slug]
    # the page words stay Chinese in every edition: the same amount of work as the English ones
    editions = EDITIONS()
    for route in routes:
        def asset(path: str, route=route) -> str:
            return site._asset_url(path, route.path.count("/"), mode, None)

        def href(kind: str, slug: str | None = None, route=route) -> str:
            return site.relative_url(views.entry_path(kind, slug), route.path, mode)
        language = (editions[edition(route)],) if editions else ()
        maps = {request.map_id: site.map_view(atlas, request, route.path, mode, *language)
                for request in route.context["maps"]}
        context = {"maps": maps, "href": href, "asset": asset, **helpers, "entry_of": entry_of,
                   **site.map_asset_tags(env, tuple(m.fragment for m in maps.values()), route.path.count("/"), mode,
                                         None)}
        # as the page templates call it: a small map is filled in from its stencil, others render the partial
        html = "".join(site.map_html(env, context, map_id, route.path) for map_id in maps) + base_part.render(context)
        written += len(html.encode("utf-8"))
    return written


def places_scripts(atlas, routes: list) -> dict[str, bytes]:
    """The shared places script of each edition the routes are in (offline mode: WGS-84)."""
    codes = {edition(route) for route in routes}
    files: dict[str, bytes] = {}
    for lang in [lang for code, lang in EDITIONS().items() if code in codes] or [None]:
        files.update(views.places_files(atlas, [basemap.WGS84], *([lang] if lang else [])))
    return files


@functools.cache
def EDITIONS() -> dict:  # noqa: N802
    """One Language object per edition for the whole run: the place index is memoised per object, as in a build."""
    return {lang.code: lang for lang in languages()} if languages else {}


def edition(route) -> str:
    return getattr(route, "lang", "zh")


def estimate_from_short_runs(atlas, mode: UrlMode, routes: list, repeat: int = 9) -> tuple[float, float, float]:
    """The maps' build time as the sum of parts, each the best of many short runs: a short run is likely to
    find a quiet moment on a busy machine, so the sum is close to the uncontended cost.
    Returns (place index and places script, the small project maps, every other map), in CPU seconds."""
    small = [route for route in routes if PROJECT_PAGE.match(route.path)]
    other = [route for route in routes if not PROJECT_PAGE.match(route.path)]
    sample = small[:300]

    def index() -> None:
        views._PLACES.clear()
        places_scripts(atlas, routes)
    index_cpu = min(timed(index)[0] for _ in range(repeat))
    per_small = min(timed(lambda: maps_alone(atlas, mode, sample, fresh_index=False))[0]
                    for _ in range(repeat)) / len(sample)
    other_cpu = min(timed(lambda: maps_alone(atlas, mode, other, fresh_index=False))[0] for _ in range(repeat))
    return index_cpu, per_small * len(small), other_cpu


def in_pages(atlas, mode: UrlMode, routes: list, bare: Path, repeat: int = 5,
             sample: int = 2000) -> tuple[float, float]:
    """What the maps add to rendering the pages they are on, as the build renders them (``site.render_route``):
    each page with its maps minus the same page with no map computed or shown, each the best of ``repeat``
    back-to-back renders (per page, so a busy moment spoils one render, not a whole pass). Project pages are
    timed on ``sample`` of them and scaled. Returns (project pages, every other map page), in CPU seconds."""
    editions = {code: lang for code, lang in EDITIONS().items()} or {"zh": None}
    envs = {}
    for folder in (site.TEMPLATES_DIR, bare):
        for code, lang in editions.items():
            env = envs[folder, code] = site.make_environment(folder, code)
            site.install_translations(env, lang.translations)
    small = [route for route in routes if PROJECT_PAGE.match(route.path)]
    other = [route for route in routes if not PROJECT_PAGE.match(route.path)]
    clock = time.process_time
    figures = []
    for part in (small[:sample], other):
        added = 0.0
        for route in part:
            without = replace(route, context={**route.context, "maps": []})
            lang = editions[edition(route)]
            best_with = best_without = float("inf")
            for _ in range(repeat):
                start = clock()
                site.render_route(envs[site.TEMPLATES_DIR, edition(route)], atlas, mode, route, None, lang)
                middle = clock()
                site.render_route(envs[bare, edition(route)], atlas, mode, without, None, lang)
                best_with, best_without = min(best_with, middle - start), min(best_without, clock() - middle)
            added += best_with - best_without
        figures.append(added)
    return figures[0] * len(small) / max(1, min(sample, len(small))), figures[1]


def build_figures(atlas, mode: UrlMode, repeat: int) -> dict[str, bytes]:
    every = [route for route in site.site_routes(atlas) if route.context.get("maps")]
    routes = [route for route in every if edition(route) == "zh"]  # the primary edition, which the target is for
    index_cpu, small_cpu, other_cpu = estimate_from_short_runs(atlas, mode, routes)
    cpu_alone, wall_alone, written = best(lambda: maps_alone(atlas, mode, routes), repeat)
    cpu_every, wall_every, _ = best(lambda: maps_alone(atlas, mode, every), repeat)
    with tempfile.TemporaryDirectory(prefix="atlas-maps-bench-") as tmp:
        bare = templates_without_maps(Path(tmp) / "templates")
        page_small, page_other = in_pages(atlas, mode, routes, bare)
        site._environment.cache_clear()
        cpu_with, wall_with, files = best(lambda: render_fresh(atlas, mode), repeat)
        cpu_without, wall_without, _ = best(lambda: render_without_maps(atlas, mode, bare), repeat)
    editions = len({edition(route) for route in every})
    print(f"build ({mode.name} mode, {len(files)} files, {editions} language edition(s)), best of {repeat} runs:")
    print(f"  the maps alone, Chinese edition (place index and shared places script, {len(routes)} map views and "
          f"data blocks, their HTML, {written / 1e6:.1f} MB): {cpu_alone:.2f} s CPU ({wall_alone:.2f} s wall)   "
          "(target: under 1 s)")
    print(f"  the same, summed from the best of 9 short runs of each part: {index_cpu + small_cpu + other_cpu:.2f} s "
          f"CPU = place index and places script {index_cpu:.2f} + "
          f"{len([r for r in routes if PROJECT_PAGE.match(r.path)])} project maps "
          f"{small_cpu:.2f} + home, chain, park and full maps {other_cpu:.2f}")
    print(f"  in the pages, as the build renders them (each page minus the same page without its map, best of 5 "
          "per page): "
          f"{index_cpu + page_small + page_other:.2f} s CPU = place index and places script {index_cpu:.2f} + "
          f"project maps {page_small:.2f} + home, chain, park and full maps {page_other:.2f}   (target: under 1 s)")
    if editions > 1:
        print(f"  the maps alone, all {editions} editions ({len(every)} map pages): {cpu_every:.2f} s CPU "
              f"({wall_every:.2f} s wall)")
    print(f"  whole site with maps {cpu_with:.2f} s CPU ({wall_with:.2f} s wall), without maps {cpu_without:.2f} s CPU "
          f"({wall_without:.2f} s wall): difference {cpu_with - cpu_without:.2f} s CPU "
          f"({wall_with - wall_without:.2f} s wall; noisy on a shared machine)")
    return files


def size_figures(files: dict[str, bytes]) -> None:
    page = files[MAP_PAGE]
    data = re.search(rb'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S).group(1)
    places = files[PLACES]
    scripts = sorted(name for name in files if re.search(r"static/(vendor/leaflet|js/atlas-map|geo/qingdao-geo\.js)",
                                                          name) and name.endswith(".js"))
    print(f"{MAP_PAGE}: {(len(page) + len(places)) / 1e6:.2f} MB of HTML and data = the page {len(page) / 1e6:.2f} MB "
          f"(its data block {len(data) / 1e3:.1f} kB) + the shared places script {len(places) / 1e6:.2f} MB   "
          "(target: under 3 MB)")
    small = [name for name in files if name.startswith("projects/") and name.count("/") == 2]
    blocks = [len(block) for name in small
              for block in re.findall(rb'<script type="application/json" id="[^"]+">(.*?)</script>', files[name], re.S)]
    print(f"  {len(blocks)} project pages' data blocks: median {statistics.median(blocks):.0f} bytes, "
          f"{sum(blocks) / 1e6:.1f} MB in all; HTML of every map page {sum_pages(files) / 1e6:.0f} MB")
    print(f"  scripts it shares with every map page: {sum(len(files[name]) for name in scripts) / 1e3:.0f} kB "
          f"({', '.join(Path(name).name for name in scripts)})")


def sum_pages(files: dict[str, bytes]) -> int:
    return sum(len(data) for name, data in files.items() if name.endswith(".html") and b'class="atlas-map' in data)


QUIET_MS = 500  # "interactive": DOM loaded, markers on the map, then this long without a long task (>50 ms)
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver(list => list.getEntries().forEach(
  task => window.__longTasks.push([task.startTime, task.startTime + task.duration])))
  .observe({type: "longtask", buffered: true});"""

MEASURE = """async quiet => {
    const id = document.querySelector('.atlas-map').id, entry = AtlasMaps.registry[id];
    const holder = document.querySelector('[data-map-text]');
    while (holder.hasAttribute('data-fill') && !holder.hasAttribute('data-filled')) {
      await new Promise(done => setTimeout(done, 50));
    }
    const textDone = performance.now();
    await new Promise(done => setTimeout(done, quiet + 100));
    const nav = performance.getEntriesByType('navigation')[0];
    let interactive = Math.max(nav.domContentLoadedEventEnd, entry.readyAt);
    for (const [start, end] of window.__longTasks.slice().sort((a, b) => a[0] - b[0])) {
      if (end > interactive && start < interactive + quiet) { interactive = end; }
    }
    const box = document.querySelector('[data-map-controls] input[name=layer]:not([value=parks])');
    let t = performance.now();
    box.click();
    const toggle = performance.now() - t, after = entry.visibleCount();
    box.click();
    return {dom: nav.domContentLoadedEventEnd, ready: entry.readyAt, interactive, textDone, toggle,
            markers: entry.markers.length, visible: entry.visibleCount(), after, rows: holder.children.length};
}"""


def browser_figures(files: dict[str, bytes], runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="atlas-maps-bench-") as tmp, sync_playwright() as playwright:
        out = Path(tmp)
        for name, data in files.items():
            if name == MAP_PAGE or name.startswith("static/"):
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_bytes(data)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results = []
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script(LONG_TASKS)
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.goto((out / MAP_PAGE).as_uri())
            page.wait_for_function("() => document.querySelector('.atlas-map[data-ready]')", timeout=60_000)
            results.append({**page.evaluate(MEASURE, QUIET_MS), "errors": errors})
            page.close()
        browser.close()
    print(f"{MAP_PAGE} in headless Chromium from file://, median of {runs} loads (ms after navigation start):")
    rows = (("dom", "HTML parsed (DOMContentLoaded)"), ("ready", "every marker clustered on the map"),
            ("interactive", f"interactive (then {QUIET_MS} ms without a long task)"),
            ("textDone", "text alternative table complete (built when idle)"))
    for key, label in rows:
        print(f"  {label + ':':58} {statistics.median(r[key] for r in results):6.0f} ms"
              + ("   (target: under 2000 ms)" if key == "interactive" else ""))
    last = results[-1]
    print(f"  toggling one chain layer: {statistics.median(r['toggle'] for r in results):.0f} ms "
          f"({last['visible']} → {last['after']} of {last['markers']} markers visible; table rows: {last['rows']})")
    if any(r["errors"] for r in results):
        print(f"  page errors: {[r['errors'][:3] for r in results]}")


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--projects", type=int, default=10_000)
    args.add_argument("--seed", type=int, default=SEED)
    args.add_argument("--repeat", type=int, default=3, help="renders per build figure (the best is printed)")
    args.add_argument("--runs", type=int, default=3, help="page loads in Chromium (the median is printed); 0 skips")
    options = args.parse_args(argv)

    atlas = synthetic_atlas(options.projects, options.seed)
    placed = len(views.place_index(atlas).records)
    print(f"synthetic atlas: {len(atlas.projects)} projects and {len(atlas.parks)} parks, {placed} of them on the map "
          f"(seed {options.seed})")
    files = build_figures(atlas, UrlMode("offline"), options.repeat)
    size_figures(files)
    if options.runs:
        browser_figures(files, options.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
