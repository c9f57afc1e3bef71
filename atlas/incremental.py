"""Which outputs a change affects — the one place that knows, so a rebuild redoes only those.

The rule, from the model's relations (and kept conservative): a changed project or park redoes its
own page, the pages of the entries it links to (a project's chain and park, a park's chains), the
pages of its siblings (projects sharing that chain or park, which may list each other), and every
page that is not one entry's page (home, indexes, maps, search, sources, data). Every map carries
one site-wide vocabulary (layer names, lookup lists of coded values: ``views.place_index``), so a
change to it redoes everything, as does a changed chain (chains name the map layers), adding or
removing an entry, and changes to settings, sources, figures, free pages, base-map data or
templates. A full rebuild and an incremental one give the same bytes (tests/test_serve.py).

Narrower, when every edited entry changed only its Markdown body (``body``, ``body_en``: the text
after the front matter, or its ``.en.md`` twin): a body is shown on its entry's own page and nowhere
else, so only those pages are redone. The search index and the data downloads, which also hold
bodies, are made anew by every build, and a page linking a hashed file whose name changed (the
search page) is redone by the caller (``atlas.pipeline``). tests/test_incremental_rule.py checks
the claim against two full renders.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import jinja2.meta

from atlas.content.load import entry_slug
from atlas.i18n import languages
from atlas.render import STATIC_DIR
from atlas.render.site import PARTIALS_FROM_CODE
from atlas.render.views import place_index
from atlas.resolve import Atlas

ENTRY_KINDS = ("chains", "parks", "projects")
LOCAL_KINDS = ("parks", "projects")  # kinds whose change stays local; a chain is in every map's legend
BODY_FIELDS = ("body", "body_en")  # shown on the entry's own page only
ENTRY_PAGE = re.compile(r"^(?:[a-z]{2}/)?(chains|parks|projects)/([a-z0-9-]+)/index\.html$")


@dataclass(frozen=True)
class Change:
    """What a rebuild must redo: everything, or the own pages of ``entries`` plus (if ``shared``) every
    non-entry page."""

    everything: bool
    entries: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (kind, slug)
    templates: frozenset[str] = field(default_factory=frozenset)  # edited templates, e.g. "partials/map.html"
    reason: str = ""
    shared: bool = True  # False: only bodies changed, which no page but the entry's own shows

    def affects(self, output: str) -> bool:
        if self.everything:
            return True
        match = ENTRY_PAGE.match(output)
        if match is None:
            return self.shared
        return (match.group(1), match.group(2)) in self.entries

    def affects_route(self, output: str, templates: frozenset[str] | None) -> bool:
        """Like ``affects``, and also true when the page's templates (None: unknown) include an edited one."""
        if self.affects(output):
            return True
        return bool(self.templates) and (templates is None or not templates.isdisjoint(self.templates))


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
    bodies: set[tuple[str, str]] = set()  # entries of which only the body changed
    for kind in ENTRY_KINDS:
        before, after = _by_slug(old, kind), _by_slug(new, kind)
        if before.keys() != after.keys():
            return Change(True, reason=f"{kind} added or removed")
        for slug in before:
            if before[slug] is after[slug] or before[slug] == after[slug]:
                continue
            if _without_body(before[slug]) == _without_body(after[slug]):
                bodies.add((kind, slug))
            elif kind not in LOCAL_KINDS:
                return Change(True, reason=f"{kind}/{slug} changed; every map lists the chains")
            else:
                entries |= _related(old, kind, before[slug]) | _related(new, kind, after[slug])
    # only bodies edited: no map word can have changed, so the (costly) vocabulary is not compared
    if (entries or not bodies) and _map_vocabulary(old) != _map_vocabulary(new):
        return Change(True, reason="the words every map shares changed")
    return _entries_change(entries, bodies)


def _without_body(entry: object) -> object:
    return replace(entry, **{name: "" for name in BODY_FIELDS})


def reuse_unaffected(change: Change, previous: Mapping[str, bytes]) -> Callable[..., bytes | None]:
    """A ``reuse`` callback for ``render_site``: old bytes for every output the change does not affect."""
    return lambda route, assets=None: None if change.affects(route.path) else previous.get(route.path)


def _by_slug(atlas: Atlas, kind: str) -> dict[str, object]:
    return {entry.slug: entry for entry in getattr(atlas, kind)}


def _related(atlas: Atlas, kind: str, entry) -> set[tuple[str, str]]:
    """The entry's own page, the entries it links to, and their other members."""
    return Snapshot.of(atlas).related(kind, entry.slug)


@dataclass(frozen=True)
class Snapshot:
    """What the rule needs to know of an Atlas, as plain data a cache can keep between builds."""

    projects: dict[str, tuple[str | None, str | None]]  # slug → (chain, park)
    parks: dict[str, tuple[str, ...]]  # slug → chains
    chains: tuple[str, ...]
    vocabulary: str  # a hash of the words every map shares
    fields: dict[str, str] = field(default_factory=dict)  # "kind/slug" → hash of its file but the body

    @classmethod
    def of(cls, atlas: Atlas) -> Snapshot:
        vocabulary = hashlib.blake2b(repr(_map_vocabulary(atlas)).encode("utf-8"), digest_size=16).hexdigest()
        fields = {f"{kind}/{slug}": digest for (kind, slug), digest in atlas.content.fields_digests.items()
                  if kind in ENTRY_KINDS and digest}
        return cls({p.slug: (p.chain, p.park) for p in atlas.projects},
                   {p.slug: tuple(p.chains) for p in atlas.parks}, tuple(c.slug for c in atlas.chains), vocabulary,
                   fields)

    @classmethod
    def from_data(cls, data: Mapping) -> Snapshot:
        return cls({slug: tuple(pair) for slug, pair in data["projects"].items()},
                   {slug: tuple(chains) for slug, chains in data["parks"].items()}, tuple(data["chains"]),
                   data["vocabulary"], dict(data.get("fields", {})))

    def body_only(self, after: Snapshot, kind: str, slug: str) -> bool:
        """Whether the entry's file, its body aside, is the same in both snapshots."""
        before = self.fields.get(f"{kind}/{slug}")
        return before is not None and before == after.fields.get(f"{kind}/{slug}")

    def keys(self) -> set[tuple[str, str]]:
        return ({("projects", s) for s in self.projects} | {("parks", s) for s in self.parks}
                | {("chains", s) for s in self.chains})

    def related(self, kind: str, slug: str) -> set[tuple[str, str]]:
        """The entry's own page, the entries it links to, and their other members."""
        pages = {(kind, slug)}
        if kind == "projects" and slug in self.projects:
            chain, park = self.projects[slug]
            if chain:
                pages.add(("chains", chain))
                pages |= {("projects", p) for p, (c, _) in self.projects.items() if c == chain}
            if park:
                pages.add(("parks", park))
                pages |= {("projects", p) for p, (_, k) in self.projects.items() if k == park}
        elif kind == "parks" and slug in self.parks:
            pages |= {("chains", chain) for chain in self.parks[slug]}
            for project, (chain, park) in self.projects.items():  # placed via the park, on their chains' maps
                if park == slug:
                    pages.add(("projects", project))
                    if chain:
                        pages.add(("chains", chain))
        return pages


def change_since(before: Snapshot, after: Snapshot, changed_inputs: Iterable[str]) -> Change:
    """The rule above, from two snapshots and the names of the inputs whose hash changed (atlas.cache).

    Inputs are named ``content/…``, ``templates/…`` or ``code/…`` (code, static files, catalogs).
    """
    entries_edited: set[tuple[str, str]] = set()
    templates: set[str] = set()
    for name in sorted(changed_inputs):
        group, _, relative = name.partition("/")
        parts = relative.split("/")
        if group == "templates":
            templates.add(relative)
        elif group == "content" and len(parts) == 2 and parts[0] in ENTRY_KINDS:
            entries_edited.add((parts[0], entry_slug(Path(parts[1]))))
        else:
            return Change(True, reason=f"{relative} changed, which every page uses")
    if before.keys() != after.keys():
        return Change(True, reason="entries added or removed")
    if before.vocabulary != after.vocabulary:
        return Change(True, reason="the words every map shares changed")
    entries: set[tuple[str, str]] = set()
    bodies: set[tuple[str, str]] = set()
    for kind, slug in entries_edited:
        if (kind, slug) not in after.keys():  # a draft, or a file the loader does not read
            continue
        if before.body_only(after, kind, slug):
            bodies.add((kind, slug))
            continue
        if kind not in LOCAL_KINDS:
            return Change(True, reason=f"{kind}/{slug} changed; every map lists the chains")
        entries |= before.related(kind, slug) | after.related(kind, slug)
    return _entries_change(entries, bodies, templates)


def _entries_change(entries: set[tuple[str, str]], bodies: set[tuple[str, str]],
                    templates: Iterable[str] = ()) -> Change:
    """The own pages of ``entries`` and ``bodies`` (entries of which only the body changed), the pages using
    ``templates``, and, unless only bodies changed, every shared page."""
    templates = frozenset(templates)
    using = f", pages using {len(templates)} templates" if templates else ""
    if bodies and not entries:
        return Change(False, frozenset(bodies), templates, shared=False,
                      reason=f"{len(bodies)} bodies edited: their pages{using}")
    return Change(False, frozenset(entries | bodies), templates,
                  reason=f"{len(entries | bodies)} entry pages{using}, and the shared pages")


def template_closure(env: jinja2.Environment, name: str) -> frozenset[str] | None:
    """The templates ``name`` extends, includes or imports, itself included, and the partials pages show through
    Python (``site.PARTIALS_FROM_CODE``); None if one is chosen at run time."""
    found: set[str] = set()
    pending = [name, *PARTIALS_FROM_CODE]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        source = env.loader.get_source(env, current)[0]
        for referenced in jinja2.meta.find_referenced_templates(env.parse(source)):
            if referenced is None:
                return None
            pending.append(referenced)
    return frozenset(found)


def _map_vocabulary(atlas: Atlas) -> list[tuple[object, object]]:
    indexes = [place_index(atlas, lang) for lang in languages()]  # each language's words (English chain names…)
    return [(index.labels, index.encoder.lookups) for index in indexes]
