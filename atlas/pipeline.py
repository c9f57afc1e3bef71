"""The build, top to bottom: load → validate → resolve → render → write."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from atlas.content import Content, read_content
from atlas.output import write_site
from atlas.render import render_site
from atlas.render.urls import UrlMode, normalise_base_url
from atlas.resolve import Atlas, resolve


@dataclass(frozen=True)
class BuildResult:
    atlas: Atlas
    files: dict[str, bytes]
    seconds: float

    @property
    def pages(self) -> int:
        return sum(1 for name in self.files if name.endswith(".html"))


def load_atlas(content_dir: Path) -> Atlas:
    """Load, validate and resolve; raises ContentError with every problem found."""
    content: Content = read_content(content_dir)
    return resolve(content)


def url_mode(atlas: Atlas, mode: str, base_url: str | None = None) -> UrlMode:
    base = base_url or atlas.settings.base_url
    if mode == "published" and base:
        return UrlMode("published", normalise_base_url(base))
    return UrlMode(mode if mode != "published" else "preview")


def build(content_dir: Path, out: Path | None, mode: str = "published", base_url: str | None = None,
          progress: Callable[[int, int], None] | None = None, force: bool = False) -> BuildResult:
    """Build the site; write it to ``out`` (atomically) unless ``out`` is None."""
    started = time.perf_counter()
    atlas = load_atlas(content_dir)
    files = render_site(atlas, url_mode(atlas, mode, base_url), progress=progress)
    if out is not None:
        write_site(files, out, force=force)
    return BuildResult(atlas, files, time.perf_counter() - started)
