"""Files only a published site has: ``sitemap.xml``, ``robots.txt`` and the Atom ``feed.xml``.

All three need the site's public address (``UrlMode.base_url``); without one they are not written
(see ``atlas.pipeline.build``). The feed carries milestones (dated as the source dates them) and
projects newly added to the atlas, dated by the commit that added their file: content has no
"added on" field, and git history is the honest record of when the atlas learnt of a project.
Each language has its feed (``feed.xml``, ``en/feed.xml``) in its own words, linking to its own pages.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from atlas.i18n import Language, languages
from atlas.model import STATUSES
from atlas.render.text import plain
from atlas.render.urls import UrlMode, absolute_url
from atlas.render.views import entry_path, timeline
from atlas.resolve import Atlas

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50  # newest entries kept in feed.xml
NOT_PAGES = frozenset({"404.html"})


def published_files(atlas: Atlas, mode: UrlMode, files: Mapping[str, bytes],
                    added: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """sitemap.xml, robots.txt and feed.xml for the pages in ``files``; ``added``: project slug -> ISO date."""
    if not mode.base_url:
        return {}
    if added is None:
        added = git_added_dates(p.path for p in atlas.projects)
    feeds = {lang.path("feed.xml"): feed_xml(atlas, mode, added, lang) for lang in languages()}
    return {
        "sitemap.xml": sitemap_xml(site_pages(files), mode),
        "robots.txt": robots_txt(mode),
        **feeds,
    }


def site_pages(files: Iterable[str]) -> list[str]:
    """Every HTML page a reader can land on (not the 404 page), in a stable order."""
    return sorted(path for path in files if path.endswith(".html") and path not in NOT_PAGES)


def sitemap_xml(pages: Iterable[str], mode: UrlMode) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for page in pages:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute_url(page, mode)
    return _xml(urlset)


def robots_txt(mode: UrlMode) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url('sitemap.xml', mode)}\n".encode()


# --- the Atom feed ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    link: str
    updated: str  # RFC 3339
    summary: str


def feed_entries(atlas: Atlas, mode: UrlMode, added: Mapping[str, str],
                 lang: Language | None = None) -> list[FeedEntry]:
    """Milestones and project additions, newest first, in ``lang`` (Chinese by default)."""
    lang = lang or languages()[0]
    _ = lang.gettext
    entries = []
    for item in timeline(atlas, lang=lang):
        page = absolute_url(lang.path(entry_path(item.entry_kind, item.entry_slug)), mode) or ""
        # the id hashes the Chinese note, so an entry keeps its id when its English is added or edited
        digest = hashlib.sha1(f"{item.date}\n{item.note}".encode()).hexdigest()[:8]
        note = plain(lang, item.milestone, "note")
        status = _("（%(status)s）", status=_(STATUSES[item.status][0])) if item.status in STATUSES else ""
        entries.append(FeedEntry(f"{page}#milestone-{item.date}-{digest}",
                                 _("%(name)s：%(note)s", name=item.entry_name, note=note), page, rfc3339(item.date),
                                 _("%(date)s%(status)s：%(note)s", date=item.date_label, status=status, note=note)))
    for project in atlas.projects:
        if project.slug not in added:
            continue
        page = absolute_url(lang.path(entry_path("projects", project.slug)), mode) or ""
        name = plain(lang, project, "name")
        entries.append(FeedEntry(page, _("新收录项目：%(name)s", name=name), page, rfc3339(added[project.slug]),
                                 plain(lang, project, "summary") or name))
    entries.sort(key=lambda entry: (entry.updated, entry.id), reverse=True)
    return entries[:FEED_SIZE]


def feed_xml(atlas: Atlas, mode: UrlMode, added: Mapping[str, str], lang: Language | None = None) -> bytes:
    """The Atom feed of one language (``lang.path("feed.xml")``), linking to that language's pages."""
    ET.register_namespace("", ATOM_NS)
    lang = lang or languages()[0]
    entries = feed_entries(atlas, mode, added, lang)
    settings = atlas.settings
    title = plain(lang, settings, "title")
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang.html_lang})
    _text(feed, "id", absolute_url(lang.path("index.html"), mode) if not lang.primary else mode.base_url)
    _text(feed, "title", lang.gettext("%(title)s：最新进展", title=title))
    if settings.description:
        _text(feed, "subtitle", plain(lang, settings, "description"))
    # a feed needs an updated time; with no entries, the oldest possible one keeps the build reproducible
    _text(feed, "updated", entries[0].updated if entries else rfc3339("1970"))
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM_NS}}}author"), f"{{{ATOM_NS}}}name").text = title
    _link(feed, absolute_url(lang.path("feed.xml"), mode), "self", "application/atom+xml")
    _link(feed, absolute_url(lang.path("index.html"), mode), "alternate", "text/html")
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _link(entry, item.link, "alternate", "text/html")
        _text(entry, "updated", item.updated)
        _text(entry, "summary", item.summary)
    return _xml(feed)


def rfc3339(date: str) -> str:
    """'2023' / '2023-10' / '2023-10-07' (or a full ISO time from git) as an Atom date in China time."""
    if "T" in date:
        return date
    parts = (date.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]:0>2}-{parts[2]:0>2}T00:00:00+08:00"


def _text(parent: ET.Element, name: str, value: str | None) -> None:
    ET.SubElement(parent, f"{{{ATOM_NS}}}{name}").text = value or ""


def _link(parent: ET.Element, href: str | None, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM_NS}}}link", {"href": href or "", "rel": rel, "type": kind})


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- when a project joined the atlas ----------------------------------------------------------------

def git_added_dates(paths: Iterable[Path]) -> dict[str, str]:
    """Slug -> committer date of the commit that added the file; {} outside a git work tree."""
    paths = [Path(p).resolve() for p in paths]
    if not paths:
        return {}
    folder = paths[0].parent
    try:
        top = _git(folder, "rev-parse", "--show-toplevel").strip()
        log = _git(folder, "log", "--diff-filter=A", "--no-renames", "--format=%x00%cI", "--name-only",
                   "--", ".")
    except (OSError, subprocess.SubprocessError):
        return {}
    wanted = {path.relative_to(top).as_posix(): path.stem for path in paths if path.is_relative_to(top)}
    added: dict[str, str] = {}
    date = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            date = line[1:]
        elif line in wanted and date and wanted[line] not in added:  # newest first: the latest addition
            added[wanted[line]] = date
    return added


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True,
                          timeout=30).stdout
