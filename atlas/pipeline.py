"""The build, top to bottom: load → validate → resolve → render → write."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from atlas import cache as atlas_cache
from atlas import collector
from atlas.content import Content, memo, read_content
from atlas.output import checkpoint, looks_like_our_build, write_site
from atlas.paths import TEMPLATES_DIR
from atlas.problems import ContentError, Problem
from atlas.resolve import Atlas, resolve

if TYPE_CHECKING:
    from atlas.incremental import Snapshot
    from atlas.render.urls import UrlMode

NEEDS_BASE_URL = "sitemap.xml, feed.xml, robots.txt, 404.html and canonical links"


@dataclass(frozen=True)
class BuildResult:
    atlas: Atlas | None  # None when the cache showed nothing had changed, so nothing was loaded
    files: dict[str, bytes]  # every output file (empty when nothing had changed)
    seconds: float
    notes: tuple[str, ...] = ()  # warnings worth telling the person who ran the build
    outputs: tuple[str, ...] = ()  # the names of every output file, also when nothing was rendered
    rendered: int | None = None  # pages rendered anew (the rest were reused from the last build); None: all

    @property
    def pages(self) -> int:
        return sum(1 for name in (self.files or self.outputs) if name.endswith(".html"))


def load_atlas(content_dir: Path, drafts: bool = False, parses: memo.ParseMemo | None = None) -> Atlas:
    """Load, validate and resolve; raises ContentError with every problem found.

    ``parses`` keeps parsed entry files between loads (``atlas.content.memo``): only changed ones are parsed.
    """
    content: Content = read_content(content_dir, include_drafts=drafts, memo=parses)
    return resolve(content)


def url_mode(atlas: Atlas, mode: str, base_url: str | None = None) -> UrlMode:
    """The URL mode of a build; published uses ``base_url``, else atlas.yaml's, else none (relative only)."""
    from atlas.render.urls import UrlMode, normalise_base_url  # late: atlas.render loads Folium (~0.6 s)

    if mode != "published":
        return UrlMode(mode)
    base = base_url or atlas.settings.base_url
    return UrlMode("published", normalise_base_url(base) if base else None)


def render(atlas: Atlas, mode: UrlMode, progress: Callable[[int, int], None] | None = None,
           reuse: Callable[..., bytes | None] | None = None, added: Mapping[str, str] | None = None,
           templates: Path = TEMPLATES_DIR, workers: int = 1) -> dict[str, bytes]:
    """Every output file of one mode, in memory; template errors become ContentError problems.

    ``workers`` > 1 renders a large site on that many processes (``atlas.render.pool``), same bytes.
    """
    # Imported here: Folium takes ~0.6 s to import, which a run that stops at content errors should not pay.
    from atlas.render import render_site
    from atlas.render.published import published_files

    try:
        files = render_site(atlas, mode, templates, progress=progress, reuse=reuse, workers=workers)
    except jinja2.TemplateError as error:
        raise ContentError([template_problem(error, templates)]) from None
    if mode.name == "published":
        files.update(published_files(atlas, mode, files, added))
    return files


@collector.for_builds()  # loading ten thousand entries: see there
def build(content_dir: Path, out: Path | None, mode: str = "published", base_url: str | None = None,
          progress: Callable[[int, int], None] | None = None, force: bool = False,
          drafts: bool = False, cache: bool = True, templates: Path = TEMPLATES_DIR) -> BuildResult:
    """Build the site; write it to ``out`` (atomically) unless ``out`` is None.

    With ``cache`` (and an ``out``), only what changed since the last build is redone (``atlas.cache``);
    the result is byte for byte what a full build gives.
    """
    started = time.perf_counter()
    notes: list[str] = []
    previous = inputs = key = None
    written: dict = {}
    if out is not None and cache:
        key = atlas_cache.build_key(content_dir, templates, mode, base_url, drafts)
        previous, note = atlas_cache.load(out, key)
        notes += [note] if note else []
        inputs, input_stats = atlas_cache.input_digests(content_dir, templates, previous and previous.input_stats)
        written = atlas_cache.scan_outputs(out) if previous else {}
        if previous and previous.inputs == inputs and written == previous.outputs and looks_like_our_build(out):
            return BuildResult(None, {}, time.perf_counter() - started, tuple(notes), tuple(previous.outputs), 0)
    elif out is not None:
        atlas_cache.forget(out)
    from atlas.incremental import Snapshot  # late, as url_mode's import
    from atlas.render.pool import default_workers

    atlas = _load_with_memo(content_dir, drafts, out if cache else None)
    urls = url_mode(atlas, mode, base_url)
    reused: set[str] = set()
    assets: dict[str, str] = {}
    current = Snapshot.of(atlas) if inputs else None  # what the rule and the next build's cache need to know
    reuse = _reuse_from(previous, inputs, current, Path(out), written, reused, assets, templates) if inputs else None
    files = render(atlas, urls, progress=progress, reuse=reuse, templates=templates, workers=default_workers())
    if out is not None:
        checkpoint("rendered")
        atlas_cache.forget(out)  # from here until the new one is saved, no cache: a crash cannot leave a wrong one
        write_site(files, out, force=force, linked=reused)
        checkpoint("swapped")
        if cache:
            _save_cache(out, key, inputs, input_stats, current, assets)
    if urls.name == "published" and not urls.base_url:
        notes.append(f"no base URL (--base-url, or base_url in atlas.yaml): {NEEDS_BASE_URL} were left out; "
                     "links are page-relative, so the site still works at any address")
    rendered = None if not reused else sum(1 for name in files if name.endswith(".html")) - len(reused)
    return BuildResult(atlas, files, time.perf_counter() - started, tuple(notes), tuple(files), rendered)


def _load_with_memo(content_dir: Path, drafts: bool, out: Path | None) -> Atlas:
    """``load_atlas``, parsing only the entry files changed since the last build of ``out`` (if any)."""
    if out is None:
        return load_atlas(content_dir, drafts)
    where = atlas_cache.memo_file(out)
    parses = memo.read(where)
    try:
        return load_atlas(content_dir, drafts, parses)
    finally:  # also after content errors: the next build, once they are fixed, parses only what changed
        if parses.changed:
            try:
                memo.write(parses, where)
            except OSError:  # only a cost: the next build parses again
                pass


def _reuse_from(previous: atlas_cache.Record | None, inputs: dict[str, str], current: Snapshot, out: Path,
                written: dict, reused: set[str], assets_seen: dict[str, str],
                templates: Path = TEMPLATES_DIR) -> Callable[..., bytes | None]:
    """A ``reuse`` callback: the last build's bytes of every page the change since then does not affect.

    It also notes the asset names pages link to (``assets_seen``), which the cache keeps.
    """
    from atlas import incremental  # late, as url_mode's import
    from atlas.render.site import make_environment

    change = None
    if previous is not None:
        changed = {name for name in inputs.keys() | previous.inputs.keys()
                   if inputs.get(name) != previous.inputs.get(name)}
        change = incremental.change_since(incremental.Snapshot.from_data(previous.snapshot), current, changed)
        if change.everything:
            change = None
    intact = {path for path, stat in previous.outputs.items() if written.get(path) == stat} if change else set()
    env = make_environment(templates)
    closures: dict[str, frozenset[str] | None] = {}  # asked for only when a template changed (parsing costs)

    stale_names: list[bytes] = []

    def reuse(route, assets: Mapping[str, str]) -> bytes | None:
        if not assets_seen:
            assets_seen.update(assets)
            # a hashed asset name that changed (the search index, say) is in the pages that link to it
            stale_names.extend(Path(name).name.encode() for key, name in previous.assets.items()
                               if assets.get(key) != name) if previous else None
        if change is None or route.path not in intact:
            return None
        if change.templates and route.template not in closures:
            closures[route.template] = incremental.template_closure(env, route.template)
        if change.affects_route(route.path, closures.get(route.template)):
            return None
        try:
            data = (out / route.path).read_bytes()
        except OSError:
            return None
        if any(name in data for name in stale_names):
            return None
        reused.add(route.path)
        return data
    return reuse


def _save_cache(out: Path, key: dict, inputs: dict[str, str], input_stats: dict[str, list], snapshot: Snapshot,
                assets: dict[str, str]) -> None:
    from dataclasses import asdict

    atlas_cache.save(out, atlas_cache.Record(key=key, inputs=inputs, outputs=atlas_cache.scan_outputs(out),
                                             assets=assets, input_stats=input_stats,
                                             snapshot=asdict(snapshot)))


def template_problem(error: jinja2.TemplateError, templates: Path = TEMPLATES_DIR) -> Problem:
    """A template error as ``templates/x.html:LINE: template: message``."""
    message = error.message or type(error).__name__
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return Problem(Path(error.filename), error.lineno or 1, "template", message)
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if Path(frame.filename).is_relative_to(templates)]
    if frames:  # Jinja rewrites tracebacks so that template frames carry the template's file and line
        return Problem(Path(frames[-1].filename), frames[-1].lineno or 1, "template", message)
    return Problem(templates, 1, "template", message)
