"""View data for templates: decisions made in Python (and tested), so templates only lay out markup."""

from __future__ import annotations

from dataclasses import dataclass

from atlas.model import PRECISIONS, STATUSES, Chain, Milestone, Park, Project
from atlas.render.text import host, number, status_label, yi, zh_date
from atlas.resolve import Atlas, Placement

STAGES = {
    "planning": "early", "signed": "early", "landed": "early", "permitted": "early",
    "started": "building", "under_construction": "building", "structure_complete": "building",
    "completed": "done", "in_operation": "done", "unspecified": "unknown",
}
STAGE_LABELS = {"early": "前期（规划、签约、落地、许可）", "building": "建设中（开工、在建、封顶）",
                "done": "建成（竣工、投产/运营）", "unknown": "状态未说明"}


def entry_path(kind: str, slug: str | None = None) -> str:
    """Output path of an entry's page (or of a kind's index when ``slug`` is None)."""
    return f"{kind}/{slug}/index.html" if slug else f"{kind}/index.html"


@dataclass(frozen=True)
class TimelineItem:
    date: str
    date_label: str
    note: str
    status: str | None
    expected: bool
    entry_kind: str
    entry_slug: str
    entry_name: str
    milestone: Milestone


def timeline(atlas: Atlas, limit: int | None = None, include_expected: bool = False) -> list[TimelineItem]:
    """Milestones of every entry, newest first (dated to the month or year the source gives)."""
    items = []
    for kind, entries in (("projects", atlas.projects), ("chains", atlas.chains), ("parks", atlas.parks)):
        for entry in entries:
            for milestone in entry.milestones:
                if milestone.expected and not include_expected:
                    continue
                items.append(TimelineItem(milestone.date, zh_date(milestone.date), milestone.note,
                                          milestone.status, milestone.expected, kind, entry.slug, entry.name,
                                          milestone))
    items.sort(key=lambda item: (item.date, item.entry_slug), reverse=True)
    return items[:limit] if limit else items


def last_milestone(project: Project) -> Milestone | None:
    done = [m for m in project.milestones if not m.expected]
    return max(done, key=lambda m: m.date) if done else None


def district_of(atlas: Atlas, project: Project) -> str | None:
    placement = atlas.placement("projects", project.slug)
    if placement and placement.district:
        return placement.district
    for location in (project.location, atlas.park_by_slug[project.park].location if project.park else None):
        if location is not None and location.district:
            return location.district
    return None


def chain_group(atlas: Atlas, project: Project) -> str:
    return atlas.chain_by_slug[project.chain].group if project.chain else "none"


def place_data(atlas: Atlas, kind: str, entry: Park | Project, url: str) -> dict | None:
    """One place for a map: where, how precisely, and what its popup says."""
    placement: Placement | None = atlas.placement(kind, entry.slug)
    if placement is None:
        return None
    precision = PRECISIONS[placement.precision][0]
    facts: list[tuple[str, str]] = []
    if isinstance(entry, Project):
        group = chain_group(atlas, entry)
        facts.append(("状态", status_label(entry.status)))
        facts.append(("投资", yi(entry.investment_yi, entry.investment_min_yi)))
        stage = STAGES[entry.status]
        kind_label = "项目"
    else:
        groups = {atlas.chain_by_slug[c].group for c in entry.chains}
        group = groups.pop() if len(groups) == 1 else "none"
        facts.append(("项目", f"{len(atlas.projects_of_park.get(entry.slug, ()))} 个"))
        stage = None
        kind_label = "园区"
    where = placement.district or ""
    if placement.via_park:
        where = f"{where}（按所在园区 {atlas.park_by_slug[placement.via_park].name}）"
    facts.append(("位置", f"{where} · {precision}" if where else precision))
    return {
        "kind": kind, "slug": entry.slug, "name": entry.name, "kind_label": kind_label, "url": url,
        "lat": placement.lat, "lon": placement.lon, "precision": placement.precision, "group": group,
        "stage": stage, "status": getattr(entry, "status", None), "facts": facts,
        "tooltip": f"{entry.name}（{precision}）" if placement.precision != "site" else entry.name,
        "radius_m": placement.radius_m,
    }


def investment_cell(project: Project) -> str:
    return yi(project.investment_yi, project.investment_min_yi)


def status_options(projects) -> list[tuple[str, str]]:
    present = {p.status for p in projects}
    return [(key, labels[0]) for key, labels in STATUSES.items() if key in present]


def format_figure_value(value) -> str:
    return number(value)


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    chain: Chain | None
    park: Park | None
    district: str | None
    investment: str
    group: str
    status_rank: int  # position in the status vocabulary, for sorting by stage


def project_row(atlas: Atlas, project: Project) -> ProjectRow:
    return ProjectRow(project, atlas.chain_by_slug.get(project.chain or ""), atlas.park_by_slug.get(project.park or ""),
                      district_of(atlas, project), investment_cell(project), chain_group(atlas, project),
                      list(STATUSES).index(project.status))


@dataclass(frozen=True)
class Filter:
    name: str  # data attribute on each row
    label: str
    options: list[tuple[str, str]]  # (value, label)


def project_filters(atlas: Atlas) -> list[Filter]:
    districts = sorted({d for p in atlas.projects if (d := district_of(atlas, p))})
    return [
        Filter("chain", "产业链", [(c.slug, c.name) for c in atlas.chains] + [("none", "未说明产业链")]),
        Filter("park", "园区", [(p.slug, p.name) for p in atlas.parks] + [("none", "不在挂牌园区或未说明")]),
        Filter("status", "状态", status_options(atlas.projects)),
        Filter("district", "区（市）", [(d, d) for d in districts] + [("none", "未知")]),
    ]


@dataclass(frozen=True)
class SourceGroup:
    key: str
    anchor: str
    title: str
    url: str | None
    publisher: str | None
    date: str | None
    note: str | None
    citations: tuple


def source_groups(atlas: Atlas) -> list[SourceGroup]:
    """Each cited document (sources/ entries first, then web pages by address) with what cites it."""
    groups = []
    for source in atlas.content.sources:
        key = f"source:{source.slug}"
        note = " ".join(x for x in (source.date_note, source.note) if x) or None
        groups.append(SourceGroup(key, source.slug, source.title, source.url, source.publisher, source.date, note,
                                  atlas.citations.get(key, ())))
    web = sorted(k for k in atlas.citations if k.startswith("url:"))
    for index, key in enumerate(web, 1):
        address = key.removeprefix("url:")
        groups.append(SourceGroup(key, f"web-{index}", host(address), address, None, None, None,
                                  atlas.citations[key]))
    return groups
