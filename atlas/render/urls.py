"""URL modes: the same page links differently when published, previewed or opened from a zip.

Every internal link is page-relative, so a site works under any path prefix. The offline bundle
names ``index.html`` explicitly (``file://`` does not serve directory indexes); the published
site and the preview use pretty directory URLs. Canonical URLs, the sitemap and the feed are
absolute under the base URL.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

MODES = ("published", "preview", "offline")


@dataclass(frozen=True)
class UrlMode:
    name: str = "preview"
    base_url: str | None = None  # absolute, ending in "/", published mode only

    @property
    def explicit_index(self) -> bool:
        return self.name == "offline"


def page_path(*parts: str) -> str:
    """The output file of a page: page_path("chains", "x") -> "chains/x/index.html"."""
    clean = [p.strip("/") for p in parts if p and p.strip("/")]
    return "/".join([*clean, "index.html"])


def relative_url(target: str, current: str, mode: UrlMode, anchor: str | None = None) -> str:
    """Link from the page written at ``current`` to the file ``target`` (both output paths)."""
    here = posixpath.dirname(current)
    rel = posixpath.relpath(target, here or ".")
    if not mode.explicit_index and (rel == "index.html" or rel.endswith("/index.html")):
        rel = rel[: -len("index.html")] or "./"
    return rel + (f"#{anchor}" if anchor else "")


def absolute_url(target: str, mode: UrlMode) -> str | None:
    if not mode.base_url:
        return None
    path = target[: -len("index.html")] if target.endswith("index.html") else target
    return mode.base_url + path


def normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"
