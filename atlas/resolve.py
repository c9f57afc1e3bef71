"""Link validated content into one consistent :class:`Atlas`: references, placements, aggregates.

Every page sees the same Atlas (first gather everything, then render), so a chain page and the
home page can never disagree about a total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from atlas.content import Content
from atlas.model import STATUSES, Chain, Park, Project, Source, SourceRef

GROUP_ORDER = ("advantage", "emerging", "service", "unstated")


@dataclass(frozen=True)
class Placement:
    """Where an entry is drawn, and how honestly: the point and the precision it stands for."""

    lat: float
    lon: float
    precision: str
    district: str | None
    note: str | None
    via_park: str | None = None  # the park slug when the entry has no location of its own
    radius_m: float | None = None  # area precision: how far off the point may be


@dataclass(frozen=True)
class Citation:
    kind: str  # chains / parks / projects / pages / figures
    slug: str
    name: str
    quote: str


@dataclass(frozen=True)
class InvestmentTotal:
    """A total computed from entries: never counts an unknown amount as zero."""

    total_yi: float
    disclosed: int  # entries whose amount is known and included
    undisclosed: int  # entries with no amount (lower bounds are not added)

    @property
    def count(self) -> int:
        return self.disclosed + self.undisclosed


@dataclass(frozen=True)
class Atlas:
    content: Content
    chain_by_slug: dict[str, Chain]
    park_by_slug: dict[str, Park]
    project_by_slug: dict[str, Project]
    source_by_slug: dict[str, Source]
    projects_of_chain: dict[str, tuple[Project, ...]]
    projects_of_park: dict[str, tuple[Project, ...]]
    parks_of_chain: dict[str, tuple[Park, ...]]
    placements: dict[tuple[str, str], Placement | None]
    citations: dict[str, tuple[Citation, ...]]
    chains_by_group: dict[str, tuple[Chain, ...]] = field(default_factory=dict)

    @property
    def settings(self):
        return self.content.settings

    @property
    def chains(self) -> tuple[Chain, ...]:
        return self.content.chains

    @property
    def parks(self) -> tuple[Park, ...]:
        return self.content.parks

    @property
    def projects(self) -> tuple[Project, ...]:
        return self.content.projects

    @property
    def unchained_projects(self) -> tuple[Project, ...]:
        return tuple(p for p in self.projects if not p.chain)

    def placement(self, kind: str, slug: str) -> Placement | None:
        return self.placements.get((kind, slug))


def resolve(content: Content) -> Atlas:
    """Build the complete, cross-linked model from validated content."""
    projects_of_chain: dict[str, list[Project]] = defaultdict(list)
    projects_of_park: dict[str, list[Project]] = defaultdict(list)
    parks_of_chain: dict[str, list[Park]] = defaultdict(list)
    for project in content.projects:
        if project.chain:
            projects_of_chain[project.chain].append(project)
        if project.park:
            projects_of_park[project.park].append(project)
    for park in content.parks:
        for chain in park.chains:
            parks_of_chain[chain].append(park)

    placements: dict[tuple[str, str], Placement | None] = {}
    for park in content.parks:
        placements[("parks", park.slug)] = _place(park.location, content)
    for project in content.projects:
        own = _place(project.location, content)
        if own is None and project.location is None and project.park:
            park_place = placements.get(("parks", project.park))
            if park_place is not None:
                own = Placement(park_place.lat, park_place.lon, park_place.precision, park_place.district,
                                park_place.note, via_park=project.park, radius_m=park_place.radius_m)
        placements[("projects", project.slug)] = own

    by_group: dict[str, list[Chain]] = {group: [] for group in GROUP_ORDER}
    for chain in content.chains:
        by_group[chain.group].append(chain)

    return Atlas(
        content=content,
        chain_by_slug={c.slug: c for c in content.chains},
        park_by_slug={p.slug: p for p in content.parks},
        project_by_slug={p.slug: p for p in content.projects},
        source_by_slug={s.slug: s for s in content.sources},
        projects_of_chain={k: tuple(sorted(v, key=project_order)) for k, v in projects_of_chain.items()},
        projects_of_park={k: tuple(sorted(v, key=project_order)) for k, v in projects_of_park.items()},
        parks_of_chain={k: tuple(v) for k, v in parks_of_chain.items()},
        placements=placements,
        citations=_citations(content),
        chains_by_group={g: tuple(v) for g, v in by_group.items() if v},
    )


def project_order(project: Project) -> tuple:
    """Largest disclosed investment first, then by status stage, then by slug (stable and explainable)."""
    amount = project.investment_yi if project.investment_yi is not None else -1
    return (-amount, list(STATUSES).index(project.status), project.slug)


def investment_total(projects: tuple[Project, ...] | list[Project]) -> InvestmentTotal:
    disclosed = [p.investment_yi for p in projects if p.investment_yi is not None]
    return InvestmentTotal(round(sum(disclosed), 4), len(disclosed), len(projects) - len(disclosed))


def status_counts(projects) -> dict[str, int]:
    counts = {status: 0 for status in STATUSES}
    for project in projects:
        counts[project.status] += 1
    return {k: v for k, v in counts.items() if v}


def _place(location, content: Content) -> Placement | None:
    if location is None or location.precision == "city":
        return None
    if location.precision == "district":
        district = content.geo.districts.get(location.district)
        if district is None:
            return None
        lat, lon = district.point
        return Placement(lat, lon, "district", location.district, location.note)
    return Placement(location.lat, location.lon, location.precision, location.district, location.note,
                     radius_m=location.radius_m)


def _citations(content: Content) -> dict[str, tuple[Citation, ...]]:
    """Which entries cite each source (by sources/ slug or by URL), with the words they cite."""
    found: dict[str, list[Citation]] = defaultdict(list)
    seen: set[tuple] = set()

    def add(ref: SourceRef | None, kind: str, slug: str, name: str) -> None:
        if ref is None:
            return
        key = (ref.key, kind, slug, ref.quote)
        if key not in seen:
            seen.add(key)
            found[ref.key].append(Citation(kind, slug, name, ref.quote))

    for kind, entries in (("chains", content.chains), ("parks", content.parks), ("projects", content.projects)):
        for entry in entries:
            for ref in entry.sources:
                add(ref, kind, entry.slug, entry.name)
            extras = (*getattr(entry, "figures", ()), *getattr(entry, "policies", ()))
            for item in (*entry.facts, *entry.milestones, *extras):
                add(item.ref, kind, entry.slug, entry.name)
            location = getattr(entry, "location", None)
            if location is not None:
                add(location.ref, kind, entry.slug, entry.name)
            if isinstance(entry, Chain):
                add(entry.group_ref, kind, entry.slug, entry.name)
    for figure in content.figures:
        add(figure.ref, "figures", figure.id or "", figure.label)
    return {k: tuple(v) for k, v in found.items()}
