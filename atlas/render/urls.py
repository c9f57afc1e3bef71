"""URL modes: the same page links differently when published, previewed or opened from a zip.

Every internal link is page-relative, so a site works under any path prefix. The offline bundle
names ``index.html`` explicitly (``file://`` does not serve directory indexes); the published
site and the preview use pretty directory URLs. Canonical URLs, the sitemap and the feed are
absolute under the base URL. The published 404 page is served at whatever address was missed,
so its links are absolute too (``absolute_links``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

MODES = ("published", "preview", "offline")


class BaseUrlError(ValueError):
    """A base URL that cannot be the public address of the site."""


@dataclass(frozen=True)
class UrlMode:
    name: str = "preview"
    base_url: str | None = None  # absolute, ending in "/", published mode only
    absolute_links: bool = False  # links as absolute URLs under base_url (the 404 page)

    @property
    def explicit_index(self) -> bool:
        return self.name == "offline"

    @property
    def hashed_assets(self) -> bool:
        """Asset file names carry a content hash, so a CDN may cache them for a year."""
        return self.name == "published"

    def with_absolute_links(self) -> UrlMode:
        return replace(self, absolute_links=bool(self.base_url))


def page_path(*parts: str) -> str:
    """The output file of a page: page_path("chains", "x") -> "chains/x/index.html"."""
    clean = [p.strip("/") for p in parts if p and p.strip("/")]
    return "/".join([*clean, "index.html"])


def relative_url(target: str, current: str, mode: UrlMode, anchor: str | None = None) -> str:
    """Link from the page written at ``current`` to the file ``target`` (both output paths)."""
    fragment = f"#{anchor}" if anchor else ""
    if mode.absolute_links and mode.base_url:
        return (absolute_url(target, mode) or "") + fragment
    rel = _plain_relative_path(target, current)
    if rel is None:
        rel = _posix_relative_path(target, current)
    if not mode.explicit_index and (rel == "index.html" or rel.endswith("/index.html")):
        rel = rel[: -len("index.html")] or "./"
    return rel + fragment


def _plain_relative_path(target: str, current: str) -> str | None:
    """``_posix_relative_path`` by string operations alone, or None unless both paths are plain.

    Plain: relative, without empty, "." or ".." segments, as every output path is. A build makes hundreds
    of thousands of distinct links, so no cache helps, and ``posixpath.relpath`` (two ``os.getcwd``
    calls, two normalisations) dominated the profile.
    """
    both = f"/{target}/{current}/"
    if "//" in both or "/./" in both or "/../" in both:
        return None
    to = target.split("/")
    here = current.split("/")
    here.pop()  # the file name: links start from its folder
    common = 0
    for mine, theirs in zip(to, here):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def _posix_relative_path(target: str, current: str) -> str:
    """The path from the folder of ``current`` to ``target``, for any pair of paths."""
    return posixpath.relpath(target, posixpath.dirname(current) or ".")


def absolute_url(target: str, mode: UrlMode) -> str | None:
    """The public address of an output file (pretty: ``chains/x/``), or None without a base URL."""
    if not mode.base_url:
        return None
    path = target[: -len("index.html")] if target == "index.html" or target.endswith("/index.html") else target
    return mode.base_url + path


def normalise_base_url(url: str) -> str:
    """Check that ``url`` is an absolute http(s) address; return it ending in "/"."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BaseUrlError(f"'{url}' is not an absolute http(s) address such as https://example.org/atlas/")
    if parts.query or parts.fragment:
        raise BaseUrlError(f"'{url}' has a query or fragment; give the folder address, e.g. https://example.org/atlas/")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"
