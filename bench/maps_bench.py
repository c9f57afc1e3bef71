"""Maps at scale: N synthetic projects → full-map page size, time to interactive in headless Chromium,
and the build time the maps add.

    .venv/bin/python bench/maps_bench.py [--projects 10000] [--seed 20231016] [--repeat 3] [--rounds 3] [--runs 3]

Prints figures and asserts nothing (the targets from the issue are printed beside them). The atlas is
``bench.synthetic``'s: the real chains, parks and districts plus N made-up projects. Build times are the
best of ``--repeat`` renders in CPU seconds of this process (other work on the machine inflates wall
time), with wall time beside them. "Building all maps adds" = the place index and shared places script of every
edition, plus what the routes spend asking for maps, plus each page with a map minus the same page that shows no
map and computes none (every page of every edition, each the best of 5 renders), plus what the maps' memos cost
the first page of each kind; each part is measured in ``--rounds`` rounds spread over the run, and the best
round of each is taken (this kind of shared host has slow spells of minutes). Every part runs
with the garbage collector set as ``render_site`` sets it (``atlas.collector.for_builds``). From the parts it also
derives (does not time) the wall time the maps add to a build that renders on every core of an idle machine.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from markupsafe import Markup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from atlas import collector  # noqa: E402
from atlas.render import basemap, maps, pool, site, stencil, views  # noqa: E402
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


class Bests(dict):
    """The best (least) CPU seconds seen of each named measurement, over every round of a run: a figure that is a
    difference is the best of one side minus the best of the other, never the best of the differences."""

    def __call__(self, key: tuple, seconds: float) -> float:
        self[key] = min(self.get(key, float("inf")), seconds)
        return self[key]

    def merge(self, other: Bests) -> None:
        for key, seconds in other.items():
            self(key, seconds)


def timed(function) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = function()
    return time.process_time() - cpu, time.perf_counter() - wall, result


@contextlib.contextmanager
def no_maps():
    """Pages as the build renders them, from the same templates, but no map is computed or shown: the routes ask
    for none and ``map_html(…)`` prints nothing."""
    routes, map_html = site.site_routes, site.map_html

    def without_maps(atlas_, *language):
        for route in routes(atlas_, *language):
            yield replace(route, context={**route.context, "maps": []}) if route.context.get("maps") else route
    site.site_routes, site.map_html = without_maps, lambda *args: Markup("")
    try:
        yield
    finally:
        site.site_routes, site.map_html = routes, map_html


def render_without_maps(atlas, mode: UrlMode) -> dict[str, bytes]:
    with no_maps():
        return site.render_site(atlas, mode)


def render_fresh(atlas, mode: UrlMode, **kwargs) -> dict[str, bytes]:
    clear_map_memos()
    views._PLACES.clear()  # count the once-per-atlas place index in every run
    return site.render_site(atlas, mode, **kwargs)


def places_scripts(atlas, codes: set[str]) -> dict[str, bytes]:
    """The shared places script of each edition of ``codes`` (offline mode: WGS-84)."""
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


def index_figure(atlas, routes: list, repeat: int = 9, bests: Bests | None = None) -> float:
    """CPU seconds to make the place index and the shared places script of each edition the routes are in: the
    best of ``repeat`` short runs, as a short run is likely to find a quiet moment on a busy machine."""
    codes = {edition(route) for route in routes}  # not timed: a build knows its editions

    def index() -> None:
        views._PLACES.clear()
        places_scripts(atlas, codes)
    bests = Bests() if bests is None else bests
    for _ in range(repeat):
        bests(("index",), timed(index)[0])
    return bests["index",]


def requests_figure(atlas, repeat: int = 7, bests: Bests | None = None) -> float:
    """CPU seconds the routes of every edition spend asking for their maps (``site._map``: a MapRequest per page
    with a map): every route made as the build makes them, minus the same with ``_map`` making nothing, each the
    best of ``repeat``, taken in turns. A map's label is formatted in both (under a microsecond a page): not counted.
    """
    def routes() -> None:
        for lang in list(EDITIONS().values()) or [None]:
            for _route in site.site_routes(atlas, *([lang] if lang else [])):
                pass
    asking, nothing = site._map, lambda *args, **options: None
    bests = Bests() if bests is None else bests
    for _ in range(repeat):
        bests(("routes", "with"), timed(routes)[0])
        site._map = nothing
        try:
            bests(("routes", "without"), timed(routes)[0])
        finally:
            site._map = asking
    return bests["routes", "with"] - bests["routes", "without"]


def clear_map_memos() -> None:
    """Forget every memo the maps keep between pages, but the place indexes themselves: the next pages pay every
    first time (the Folium renders, stencils, asset tags, data-block settings and selections of places)."""
    for memo in (site._STENCILS, site.map_asset_tags):
        memo.clear()
    for cached in (site.build_map, site._fragment, site._frame, site._entry_href, views._legend, views._legend_of_one,
                   maps._settings_json, stencil._body_prints_only):
        cached.cache_clear()
    for _atlas, _lang, index in views._PLACES.values():
        index.encoder._settings.clear()
        index._selections.clear()


def editions_and_environments() -> tuple[dict, dict]:
    """{code: Language} of every edition and {code: its Jinja environment, translations installed}, as a build has."""
    editions = dict(EDITIONS()) or {"zh": None}
    envs = {code: site.make_environment(site.TEMPLATES_DIR, code) for code in editions}
    for code, lang in editions.items():
        if lang:
            site.install_translations(envs[code], lang.translations)
    return editions, envs


def in_pages(atlas, mode: UrlMode, routes: list, repeat: int = 5, chunk: int = pool.CHUNK,
             bests: Bests | None = None) -> tuple[float, float]:
    """What the maps add to rendering the pages they are on, as the build renders them (``site.render_site``):
    ``chunk`` pages in build order with their maps, then the same pages with no map computed or shown
    (``no_maps``), ``repeat`` times; each chunk's best with minus its best without. Chunks are short, so that a
    busy moment spoils one run of one chunk, and long, so that the map code is as warm as in a build.

    Returns (project pages, every other map page), in CPU seconds.
    """
    editions, envs = editions_and_environments()
    small = [route for route in routes if PROJECT_PAGE.match(route.path)]
    other = [route for route in routes if not PROJECT_PAGE.match(route.path)]
    clock = time.process_time

    def render(pages: list) -> float:
        """As ``render_site`` renders a chunk: the pages' contexts (with their maps) in a row, then the templates."""
        start = clock()
        routes = [route if without is None else without for route, without in pages]
        contexts = [site.page_context(envs[route.lang], atlas, mode, route, None, editions[route.lang])
                    for route in routes]
        for route, context in zip(routes, contexts):
            envs[route.lang].get_template(route.template).render(context)
        return clock() - start

    bests = Bests() if bests is None else bests
    figures = []
    for name, part in (("other", other), ("small", small)):  # as a build: a chain page's map before its projects'
        added = 0.0
        for at in range(0, len(part), chunk):
            pages = part[at:at + chunk]
            bare = [(route, replace(route, context={**route.context, "maps": []})) for route in pages] if repeat else []
            for _ in range(repeat):
                bests((name, at, "with"), render([(route, None) for route in pages]))
                with no_maps():
                    bests((name, at, "without"), render(bare))
            added += bests[name, at, "with"] - bests[name, at, "without"]
        figures.append(added)
    return figures[1], figures[0]


def first_time(atlas, mode: UrlMode, routes: list, repeat: int = 5, bests: Bests | None = None) -> tuple[float, float]:
    """What the maps' memos cost the first page of each kind, and compiling the map partials, in CPU seconds.

    The memos: every page's context (``site.page_context``: its map views and small maps' HTML) made with the
    memos emptied, minus the same with them full, each the best of ``repeat`` (a whole pass takes under a
    second, so the best of a few misses the collector's pauses). The partials: a cold build compiles them once.
    """
    editions, envs = editions_and_environments()

    def contexts() -> None:
        for route in routes:
            site.page_context(envs[route.lang], atlas, mode, route, None, editions[route.lang])
    bests = Bests() if bests is None else bests
    for _ in range(repeat):
        clear_map_memos()
        bests(("memos", "cold"), timed(contexts)[0])
        bests(("memos", "warm"), timed(contexts)[0])
    env = next(iter(envs.values()))
    sources = [env.loader.get_source(env, name)[0] for name in site.PARTIALS_FROM_CODE]
    for _ in range(repeat):
        bests(("partials",), timed(lambda: [env.compile(source) for source in sources])[0])
    return bests["memos", "cold"] - bests["memos", "warm"], bests["partials",]


def build_figures(atlas, mode: UrlMode, repeat: int, rounds: int = 1) -> dict[str, bytes]:
    every = [route for route in site.site_routes(atlas) if route.context.get("maps")]
    editions = sorted({edition(route) for route in every})
    small = [route for route in every if PROJECT_PAGE.match(route.path)]
    parts, bests = [], Bests()
    with collector.for_builds():  # as render_site makes the index and renders the pages
        for _ in range(rounds):  # every part once per round: a slow spell of the host spoils one round of each
            this_round = Bests()
            parts.append(sum(  # this round's own total, for the reader to see the spread
                (index_figure(atlas, every, bests=this_round), requests_figure(atlas, bests=this_round),
                 *in_pages(atlas, mode, every, bests=this_round), *first_time(atlas, mode, every, bests=this_round))))
            bests.merge(this_round)
    # the figures of every round together (repeat=0: read from the bests, measure nothing more)
    index_cpu = index_figure(atlas, every, repeat=0, bests=bests)
    requests = requests_figure(atlas, repeat=0, bests=bests)
    page_small, page_other = in_pages(atlas, mode, every, repeat=0, bests=bests)
    memos, compiling = first_time(atlas, mode, every, repeat=0, bests=bests)
    # in turns, so that a slow spell of the host spoils one of each rather than every run of one side
    clock_with, clock_without, runs_with, runs_without = CollectorClock(), CollectorClock(), [], []
    for _ in range(repeat):  # one site's files kept at a time, and each side starts with the other's garbage gone
        files = None
        gc.collect()
        with clock_with:
            *seconds, files = timed(lambda: render_fresh(atlas, mode))
        runs_with.append(seconds)
        gc.collect()
        with clock_without:
            runs_without.append(timed(lambda: render_without_maps(atlas, mode))[:2])
    cpu_with, wall_with = [min(run[i] for run in runs_with) for i in (0, 1)]
    cpu_without, wall_without = [min(run[i] for run in runs_without) for i in (0, 1)]
    gc_with, gc_without = clock_with.seconds / repeat, clock_without.seconds / repeat
    total = index_cpu + requests + page_small + page_other + memos + compiling
    print(f"build ({mode.name} mode, {len(files)} files, {len(editions)} language edition(s): {', '.join(editions)}):")
    print(f"  building all maps, every edition, in the pages as the build renders them: {total:.2f} s CPU   "
          "(target: under 1 s)")
    print(f"    = place index and shared places script of each edition {index_cpu:.2f} (best of 9 a round)")
    print(f"    + the routes asking for their maps {requests:.2f} (every route with and without, best of 7 a round)")
    print(f"    + {len(small)} project pages' maps {page_small:.2f} + {len(every) - len(small)} home, chain, park and "
          f"full maps {page_other:.2f} (each page minus the same page without its map, best of 5 renders a page "
          "a round)")
    print(f"    + what the maps' memos cost the first page of each kind {memos:.2f} + compiling the map partials "
          f"{compiling:.2f}")
    if rounds > 1:
        print(f"    each part the best of {rounds} rounds, a minute or more apart (a slow spell of the host spoils one "
              f"round, not every one); each round's own total: {', '.join(f'{total:.2f}' for total in parts)} s")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = cores if sum(name.endswith(".html") for name in files) >= pool.MIN_PAGES else 1  # as pool.render_all
    wall = index_cpu + requests + max(0.0, memos) + compiling + (page_small + page_other) / workers
    print(f"  as wall time of a build on {workers} worker process(es) (an idle machine with {cores} cores), derived "
          f"from the parts above, not timed: {wall:.2f} s = the place index, scripts and routes (made before the "
          f"workers start) + the memos and partials (each worker makes its own) + the pages' part / {workers}")
    print(f"  whole site with maps {cpu_with:.2f} s CPU ({wall_with:.2f} s wall), without maps (place index and places "
          f"scripts still made) {cpu_without:.2f} s CPU ({wall_without:.2f} s wall), best of {repeat} taken in turns: "
          f"difference {cpu_with - cpu_without:.2f} s CPU: two {cpu_without:.0f}-second figures, so the difference is "
          "mostly noise")
    print(f"  the garbage collector's part (atlas.collector.for_builds), mean of {repeat}: with maps "
          f"{gc_with:.2f} s, without {gc_without:.2f} s")
    return files


def size_figures(files: dict[str, bytes]) -> None:
    page = files[MAP_PAGE]
    data = re.search(rb'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S).group(1)
    places = files[PLACES]
    loaded = re.compile(r"static/(vendor/leaflet|js/atlas-map|geo/qingdao-geo\.js|maps/folium/atlas-map)")
    scripts = sorted(name for name in files if loaded.search(name) and name.endswith(".js"))
    print(f"{MAP_PAGE}: {(len(page) + len(places)) / 1e6:.2f} MB of HTML and data = the page {len(page) / 1e6:.2f} MB "
          f"(its data block {len(data) / 1e3:.1f} kB) + the shared places script {len(places) / 1e6:.2f} MB   "
          "(target: under 3 MB)")
    small = [name for name in files if name.startswith("projects/") and name.count("/") == 2]
    blocks = [len(block) for name in small
              for block in re.findall(rb'<script type="application/json" id="[^"]+">(.*?)</script>', files[name], re.S)]
    print(f"  {len(blocks)} project pages' data blocks: median {statistics.median(blocks):.0f} bytes, "
          f"{sum(blocks) / 1e6:.1f} MB in all; HTML of every map page {sum_pages(files) / 1e6:.0f} MB")
    print(f"  the other scripts it loads (all but its Folium script shared with every map page): "
          f"{sum(len(files[name]) for name in scripts) / 1e3:.0f} kB "
          f"({', '.join(name.removeprefix('static/') for name in scripts)})")


def host_speed(repeat: int = 9) -> float:
    """CPU seconds of a fixed piece of pure-Python work (best of ``repeat``): a yardstick to compare runs by."""
    def work() -> None:
        table: dict[str, int] = {}
        for i in range(200_000):
            key = f"place-{i % 5000}"
            table[key] = table.get(key, 0) + len(key)
    return min(timed(work)[0] for _ in range(repeat))


class CollectorClock:
    """Wall seconds the cyclic garbage collector ran (``gc.callbacks``) while its ``with`` blocks ran."""

    def __init__(self) -> None:
        self.seconds, self._started = 0.0, 0.0  # summed over every use

    def __enter__(self) -> CollectorClock:
        gc.callbacks.append(self._tick)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._tick)

    def _tick(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


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
    args.add_argument("--rounds", type=int, default=3,
                      help="rounds of the maps' parts, spread over the run (the best of each part is printed)")
    options = args.parse_args(argv)

    atlas = synthetic_atlas(options.projects, options.seed)
    placed = len(views.place_index(atlas).records)
    print(f"synthetic atlas: {len(atlas.projects)} projects and {len(atlas.parks)} parks, {placed} of them on the map "
          f"(seed {options.seed})")
    before = host_speed()
    files = build_figures(atlas, UrlMode("offline"), options.repeat, options.rounds)
    print(f"  this host's speed: the same small fixed work (pure Python, no I/O) took {before * 1000:.0f} ms before "
          f"the build figures and {host_speed() * 1000:.0f} ms after (best of 9 each); the figures above move much "
          "more memory and have moved more than this between runs of the same code")
    size_figures(files)
    if options.runs:
        browser_figures(files, options.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
