"""Which outputs a change affects — the one place that knows, so a rebuild redoes only those.

The rule, from the model's relations (and kept conservative): a changed project or park redoes its
own page, the pages of the entries it links to (a project's chain and park, a park's chains), the
pages of its siblings (projects sharing that chain or park, which may list each other), and every
page that is not one entry's page (home, indexes, maps, search, sources, data). Every map carries
one site-wide vocabulary (layer names, lookup lists of coded values: ``views.place_index``), so a
change to it redoes everything, as does a changed chain (chains name the map layers), adding or
removing an entry, and changes to settings, sources, figures, free pages, base-map data or
templates. A full rebuild and an incremental one give the same bytes (tests/test_serve.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from atlas.render import STATIC_DIR
from atlas.render.views import place_index
from atlas.resolve import Atlas

ENTRY_KINDS = ("chains", "parks", "projects")
LOCAL_KINDS = ("parks", "projects")  # kinds whose change stays local; a chain is in every map's legend
ENTRY_PAGE = re.compile(r"^(?:[a-z]{2}/)?(chains|parks|projects)/([a-z0-9-]+)/index\.html$")


@dataclass(frozen=True)
class Change:
    """What a rebuild must redo: everything, or the own pages of ``entries`` plus every non-entry page."""

    everything: bool
    entries: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (kind, slug)
    reason: str = ""

    def affects(self, output: str) -> bool:
        if self.everything:
            return True
        match = ENTRY_PAGE.match(output)
        return match is None or (match.group(1), match.group(2)) in self.entries


EVERYTHING = Change(True, reason="first build")


def what_changed(old: Atlas | None, new: Atlas, changed_files: Iterable[Path], content_dir: Path,
                 static_dir: Path = STATIC_DIR, hashed_assets: bool = False) -> Change:
    """Compare two Atlases built before and after ``changed_files`` were edited."""
    if old is None:
        return EVERYTHING
    content_dir, static_dir = Path(content_dir).resolve(), Path(static_dir).resolve()
    for path in changed_files:
        path = Path(path).resolve()
        if path.is_relative_to(content_dir):
            parts = path.relative_to(content_dir).parts
            if len(parts) == 2 and parts[0] in ENTRY_KINDS:
                continue
            return Change(True, reason=f"{path.name} is shared by every page")
        # static files are re-read by every render; pages change only when their names carry a hash
        if not path.is_relative_to(static_dir) or hashed_assets:
            return Change(True, reason=f"{path.name} changed, which every page uses")
    entries: set[tuple[str, str]] = set()
    if _map_vocabulary(old) != _map_vocabulary(new):
        return Change(True, reason="the words every map shares changed")
    for kind in ENTRY_KINDS:
        before, after = _by_slug(old, kind), _by_slug(new, kind)
        if before.keys() != after.keys():
            return Change(True, reason=f"{kind} added or removed")
        for slug in before:
            if before[slug] == after[slug]:
                continue
            if kind not in LOCAL_KINDS:
                return Change(True, reason=f"{kind}/{slug} changed; every map lists the chains")
            entries |= _related(old, kind, before[slug]) | _related(new, kind, after[slug])
    return Change(False, frozenset(entries), reason=f"{len(entries)} entry pages and the shared pages")


def reuse_unaffected(change: Change, previous: Mapping[str, bytes]) -> Callable[[str], bytes | None]:
    """A ``reuse`` callback for ``render_site``: old bytes for every output the change does not affect."""
    return lambda output: None if change.affects(output) else previous.get(output)


def _by_slug(atlas: Atlas, kind: str) -> dict[str, object]:
    return {entry.slug: entry for entry in getattr(atlas, kind)}


def _related(atlas: Atlas, kind: str, entry) -> set[tuple[str, str]]:
    """The entry's own page, the entries it links to, and their other members."""
    pages = {(kind, entry.slug)}
    if kind == "projects":
        if entry.chain:
            pages.add(("chains", entry.chain))
            pages |= {("projects", p.slug) for p in atlas.projects_of_chain.get(entry.chain, ())}
        if entry.park:
            pages.add(("parks", entry.park))
            pages |= {("projects", p.slug) for p in atlas.projects_of_park.get(entry.park, ())}
    elif kind == "parks":
        pages |= {("chains", slug) for slug in entry.chains}
        for project in atlas.projects_of_park.get(entry.slug, ()):  # placed via the park, on their chains' maps
            pages.add(("projects", project.slug))
            if project.chain:
                pages.add(("chains", project.chain))
    return pages


def _map_vocabulary(atlas: Atlas) -> tuple[object, object]:
    index = place_index(atlas)
    return index.labels, index.encoder.lookups
