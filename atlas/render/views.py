"""View data for templates: decisions made in Python (and tested), so templates only lay out markup."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from atlas.model import GROUPS, PRECISIONS, STATUSES, Chain, Milestone, Park, Project
from atlas.render.maps import PlaceEncoder, drawing_rule
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


def place_data(atlas: Atlas, kind: str, entry: Park | Project, url: str | None) -> dict | None:
    """One place for a map: where, how precisely, how it is drawn, and what its popup and list say."""
    placement: Placement | None = atlas.placement(kind, entry.slug)
    if placement is None:
        return None
    precision = PRECISIONS[placement.precision][0]
    facts: list[tuple[str, str]] = []
    investment = count = None
    if isinstance(entry, Project):
        group = chain_group(atlas, entry)
        layer = entry.chain or "none"
        chains = atlas.chain_by_slug[entry.chain].name if entry.chain else "未说明"
        investment = yi(entry.investment_yi, entry.investment_min_yi)
        facts.append(("状态", status_label(entry.status)))
        facts.append(("投资", investment))
        stage = STAGES[entry.status]
        kind_label = "项目"
    else:
        groups = {atlas.chain_by_slug[c].group for c in entry.chains}
        group = groups.pop() if len(groups) == 1 else "none"
        layer = "parks"
        chains = "、".join(atlas.chain_by_slug[c].name for c in entry.chains) or "未说明"
        count = len(atlas.projects_of_park.get(entry.slug, ()))
        facts.append(("项目", f"{count} 个"))
        stage = None
        kind_label = "园区"
    via = atlas.park_by_slug[placement.via_park].name if placement.via_park else None
    where = placement.district or ""
    if via:
        where = f"{where}（按所在园区 {via}）"
    facts.append(("位置", f"{where} · {precision}" if where else precision))
    status = getattr(entry, "status", None)
    return {
        "kind": kind, "slug": entry.slug, "name": entry.name, "kind_label": kind_label, "url": url,
        "lat": placement.lat, "lon": placement.lon, "precision": placement.precision, "group": group,
        "stage": stage, "status": status, "facts": facts,
        "tooltip": f"{entry.name}（{precision}）" if placement.precision != "site" else entry.name,
        "radius_m": placement.radius_m,
        # for the map's data block and its table: the layer it toggles with, and how it is drawn
        "layer": layer, "chains_label": chains, "status_label": status_label(status) if status else "—",
        "precision_label": precision, "draw": drawing_rule(placement.precision, placement.radius_m),
        "investment": investment, "count": count, "district": placement.district, "via": via,
        "chains": None if isinstance(entry, Project) else chains,
        "facts_text": " · ".join(f"{label}：{value}" for label, value in facts),  # the list's line, built once
    }


@dataclass(frozen=True)
class PlaceIndex:
    """Map data of a whole Atlas, computed once and shared by every map of a render."""

    records: dict[tuple[str, str], dict]  # (kind, slug) -> place_data without URL, for placed entries only
    labels: dict[str, dict[str, str]]  # words for coded values (see map_labels)
    encoder: PlaceEncoder  # writes the maps' data blocks


_PLACES: dict[int, tuple[Atlas, PlaceIndex]] = {}  # memo of place_index for the latest Atlas (a pure function)


def place_index(atlas: Atlas) -> PlaceIndex:
    """``place_data`` of every placed park and project, and the map labels, computed once per Atlas."""
    cached = _PLACES.get(id(atlas))
    if cached is None or cached[0] is not atlas:
        records = {}
        for kind, entries in (("parks", atlas.parks), ("projects", atlas.projects)):
            for entry in entries:
                place = place_data(atlas, kind, entry, None)
                if place is not None:
                    records[(kind, entry.slug)] = place
        labels = map_labels(atlas)
        encoder = PlaceEncoder(records.values(), labels)
        _PLACES.clear()
        cached = _PLACES[id(atlas)] = (atlas, PlaceIndex(records, labels, encoder))
    return cached[1]


def map_legend(places: list[dict]) -> list[tuple[str, str]]:
    """The legend keys a map needs, (css key, words): only what its places show, in a fixed order."""
    return _legend(frozenset(p["kind"] for p in places), frozenset(p["stage"] for p in places),
                   frozenset(p["group"] for p in places), frozenset(p["draw"] for p in places), len(places) > 1)


@functools.lru_cache(maxsize=256)
def _legend(kinds: frozenset, stages: frozenset, groups: frozenset, draws: frozenset, several: bool) -> list:
    items = [("park", "园区")] if "parks" in kinds else []
    items += [(stage, f"项目：{label}") for stage, label in STAGE_LABELS.items() if stage in stages]
    items += [(group, labels[0]) for group, labels in GROUPS.items() if group in groups]
    items += [("none", "未说明产业链")] if "none" in groups else []
    items += [("circle", "大致范围（误差圈）")] if "circle" in draws else []
    items += [("district", "区（市）级，大致位置（高亮该区）")] if "district" in draws else []
    items += [("cluster", "同处多个地点，点击数字展开")] if several else []
    return items


def map_labels(atlas: Atlas) -> dict[str, dict[str, str]]:
    """Words a map's popups and filters use for coded values; ``layer`` also gives the filter's order."""
    return {
        "kind": {"parks": "园区", "projects": "项目"},
        "status": {key: labels[0] for key, labels in STATUSES.items()},
        "precision": {key: labels[0] for key, labels in PRECISIONS.items()},
        "layer": {"parks": "园区", **{c.slug: c.name for c in atlas.chains}, "none": "未说明产业链"},
        "text": {"status": "状态", "investment": "投资", "chain": "产业链", "location": "位置", "projects": "项目",
                 "count": "个", "via": "按所在园区", "approximate": PRECISIONS["district"][0]},
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
