"""Every internal link of a rendered site resolves: ``href``/``src``/``action``, ``#anchors``, CSS ``url()``,
and (published) the sitemap, feeds (one per language) and robots.txt addresses.

Works on the in-memory output (``{path: bytes}``), so ``check`` can verify all three URL modes
without writing anything. A link is internal when it is relative, or absolute under the base URL.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

from atlas.i18n import PREFIX
from atlas.render.fingerprint import CSS_URL

LINK_ATTRIBUTES = {"href": {"a", "link", "area", "base"}, "src": {"script", "img", "iframe", "source", "audio",
                                                                  "video", "track", "embed", "input"},
                   "action": {"form"}, "poster": {"video"}, "data": {"object"}}
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


@dataclass(frozen=True, order=True)
class BrokenLink:
    page: str  # output path of the file holding the link
    link: str
    reason: str

    def format(self, label: str = "") -> str:
        return f"{label}{self.page}: link '{self.link}': {self.reason}"


@dataclass(frozen=True)
class PageLinks:
    links: tuple[str, ...]
    anchors: frozenset[str]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.anchors.add(value)
            elif tag in LINK_ATTRIBUTES.get(name, ()):
                self.links.append(value.strip())

    handle_startendtag = handle_starttag


def page_links(html: bytes) -> PageLinks:
    collector = _Collector()
    collector.feed(html.decode("utf-8", errors="replace"))
    collector.close()
    return PageLinks(tuple(collector.links), frozenset(collector.anchors))


def check_links(files: Mapping[str, bytes], base_url: str | None = None,
                directory_index: bool = True) -> list[BrokenLink]:
    """Broken internal links of a whole site; ``directory_index=False`` for ``file://`` (offline)."""
    pages = {path: page_links(data) for path, data in files.items() if path.endswith(".html")}
    broken = []
    for path, found in sorted(pages.items()):
        for link in found.links:
            reason = _problem(link, path, files, pages, base_url, directory_index)
            if reason:
                broken.append(BrokenLink(path, link, reason))
    for path, link in _other_links(files, base_url):
        reason = _problem(link, path, files, pages, base_url, directory_index)
        if reason:
            broken.append(BrokenLink(path, link, reason))
    return sorted(set(broken))


def check_folder(folder: Path, base_url: str | None = None, directory_index: bool = True) -> list[BrokenLink]:
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    return check_links(files, base_url, directory_index)


def _problem(link: str, page: str, files: Mapping[str, bytes], pages: Mapping[str, PageLinks],
             base_url: str | None, directory_index: bool) -> str | None:
    """Why ``link`` (found in ``page``) does not resolve, or None when it does or is external."""
    if not link or link.startswith(("mailto:", "tel:", "data:", "javascript:")):
        return None
    if base_url and link.startswith(base_url):
        path, fragment = _split(link[len(base_url):])
        target = path
    elif EXTERNAL.match(link):
        return None
    elif link.startswith("/"):
        return "root-relative link; internal links must be page-relative (the site may live under a path prefix)"
    else:
        path, fragment = _split(link)
        if not path:
            target = page
        else:
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
            if joined == ".." or joined.startswith("../"):
                return "points outside the site"
            target = "" if joined == "." else joined
            if path.endswith("/") or path in (".", ".."):
                target = f"{target}/" if target else ""
    if target == "" or target.endswith("/"):
        if not directory_index:
            return "folder link; offline pages must name index.html explicitly (file:// has no folder index)"
        target += "index.html"
    if target not in files:
        if f"{target}/index.html" in files:
            return "folder link without a trailing slash"
        return f"{target} does not exist"
    if fragment and target.endswith(".html") and fragment not in pages[target].anchors:
        return f"{target} has no element with id '{fragment}'"
    return None


def _split(link: str) -> tuple[str, str]:
    parts = urlsplit(link)
    return unquote(parts.path), unquote(parts.fragment)


def _other_links(files: Mapping[str, bytes], base_url: str | None) -> Iterator[tuple[str, str]]:
    """Links outside HTML: CSS url(), sitemap <loc>, each language's feed <link>, robots.txt Sitemap:."""
    for path, data in files.items():
        if path.endswith(".css"):
            for match in CSS_URL.finditer(data.decode("utf-8", errors="replace")):
                url = match.group(2)
                if not url.startswith("#"):
                    yield path, url
    if not base_url:
        return
    for path in ("sitemap.xml", *(prefix + "feed.xml" for prefix in PREFIX.values())):  # feed.xml, en/feed.xml
        if path in files:
            root = ET.fromstring(files[path])
            for element in root.iter():
                if element.tag.endswith("}loc") and element.text:
                    yield path, element.text.strip()
                elif element.tag.endswith("}link") and element.get("href"):
                    yield path, element.get("href")
    for line in files.get("robots.txt", b"").decode("utf-8").splitlines():
        if line.lower().startswith("sitemap:"):
            yield "robots.txt", line.split(":", 1)[1].strip()
