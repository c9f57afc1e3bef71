"""The build, top to bottom: load → validate → resolve → render → write."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from atlas.content import Content, read_content
from atlas.output import write_site
from atlas.paths import TEMPLATES_DIR
from atlas.problems import ContentError, Problem
from atlas.render.urls import UrlMode, normalise_base_url
from atlas.resolve import Atlas, resolve

NEEDS_BASE_URL = "sitemap.xml, feed.xml, robots.txt, 404.html and canonical links"


@dataclass(frozen=True)
class BuildResult:
    atlas: Atlas
    files: dict[str, bytes]
    seconds: float
    notes: tuple[str, ...] = ()  # warnings worth telling the person who ran the build

    @property
    def pages(self) -> int:
        return sum(1 for name in self.files if name.endswith(".html"))


def load_atlas(content_dir: Path, drafts: bool = False) -> Atlas:
    """Load, validate and resolve; raises ContentError with every problem found."""
    content: Content = read_content(content_dir, include_drafts=drafts)
    return resolve(content)


def url_mode(atlas: Atlas, mode: str, base_url: str | None = None) -> UrlMode:
    """The URL mode of a build; published uses ``base_url``, else atlas.yaml's, else none (relative only)."""
    if mode != "published":
        return UrlMode(mode)
    base = base_url or atlas.settings.base_url
    return UrlMode("published", normalise_base_url(base) if base else None)


def render(atlas: Atlas, mode: UrlMode, progress: Callable[[int, int], None] | None = None,
           reuse: Callable[[str], bytes | None] | None = None, added: Mapping[str, str] | None = None,
           templates: Path = TEMPLATES_DIR) -> dict[str, bytes]:
    """Every output file of one mode, in memory; template errors become ContentError problems."""
    # Imported here: Folium takes ~0.6 s to import, which a run that stops at content errors should not pay.
    from atlas.render import render_site
    from atlas.render.published import published_files

    try:
        files = render_site(atlas, mode, templates, progress=progress, reuse=reuse)
    except jinja2.TemplateError as error:
        raise ContentError([template_problem(error, templates)]) from None
    if mode.name == "published":
        files.update(published_files(atlas, mode, files, added))
    return files


def build(content_dir: Path, out: Path | None, mode: str = "published", base_url: str | None = None,
          progress: Callable[[int, int], None] | None = None, force: bool = False,
          drafts: bool = False) -> BuildResult:
    """Build the site; write it to ``out`` (atomically) unless ``out`` is None."""
    started = time.perf_counter()
    atlas = load_atlas(content_dir, drafts)
    urls = url_mode(atlas, mode, base_url)
    files = render(atlas, urls, progress=progress)
    if out is not None:
        write_site(files, out, force=force)
    notes = ()
    if urls.name == "published" and not urls.base_url:
        notes = (f"no base URL (--base-url, or base_url in atlas.yaml): {NEEDS_BASE_URL} were left out; "
                 "links are page-relative, so the site still works at any address",)
    return BuildResult(atlas, files, time.perf_counter() - started, notes)


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
