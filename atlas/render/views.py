"""View data for templates: decisions made in Python (and tested), so templates only lay out markup."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from markupsafe import Markup

from atlas.i18n import N_, Language
from atlas.model import GROUPS, PRECISIONS, STATUSES, Chain, Milestone, Park, Project
from atlas.render.maps import PlaceEncoder, drawing_rule, places_path
from atlas.render.text import CHINESE, date_label, host, localized, localized_text, number, plain, status_label, yi
from atlas.resolve import Atlas, Placement

STAGES = {
    "planning": "early", "signed": "early", "landed": "early", "permitted": "early",
    "started": "building", "under_construction": "building", "structure_complete": "building",
    "completed": "done", "in_operation": "done", "unspecified": "unknown",
}
STAGE_LABELS = {"early": N_("前期（规划、签约、落地、许可）"), "building": N_("建设中（开工、在建、封顶）"),
                "done": N_("建成（竣工、投产/运营）"), "unknown": N_("状态未说明")}
STAGE_SHORT = {"early": N_("前期"), "building": N_("建设中"), "done": N_("建成"), "unknown": N_("状态未说明")}


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
    entry: Chain | Park | Project | None = None


def timeline(atlas: Atlas, limit: int | None = None, include_expected: bool = False,
             lang: Language = CHINESE) -> list[TimelineItem]:
    """Milestones of every entry, newest first (dated to the month or year the source gives)."""
    items = []
    for kind, entries in (("projects", atlas.projects), ("chains", atlas.chains), ("parks", atlas.parks)):
        for entry in entries:
            for milestone in entry.milestones:
                if milestone.expected and not include_expected:
                    continue
                items.append(TimelineItem(milestone.date, date_label(milestone.date, lang), milestone.note,
                                          milestone.status, milestone.expected, kind, entry.slug,
                                          plain(lang, entry, "name"), milestone, entry))
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


def district_name(district: str | None, lang: Language = CHINESE) -> str | None:
    """A district's name in the page's language (the ten names are in the catalog)."""
    return lang.gettext(district) if district else district


def _place_words(atlas: Atlas, lang: Language) -> dict:
    """The words of every place's popup and list line in one language: fixed words, and the chains', parks' and
    districts' names (thousands of places share them; made once per place index)."""
    _ = lang.gettext
    kinds = {"projects": _("项目"), "parks": _("园区")}
    kinds_note = {kind: _("（%(kind)s）", kind=label) for kind, label in kinds.items()}
    colon = "：" if lang.primary else ": "
    status_fact, investment_fact = _("状态"), _("投资")  # not inside f-strings: the message extractor misses those
    return {
        "precision": {key: _(labels[0]) for key, labels in PRECISIONS.items()},
        "status": {key: status_label(key, lang) for key in STATUSES},
        "kind_note": kinds_note, "kind": kinds, "projects_fact": _("项目"),
        "location_fact": _("位置"), "unknown_chain": _("未说明"), "list_separator": "、" if lang.primary else ", ",
        "colon": colon,
        # a project's list line up to its amount, by status; the end of a line, by where (filled by place_data)
        "status_facts": {key: f"{kinds_note['projects']} · {status_fact}{colon}{status_label(key, lang)} · "
                              f"{investment_fact}{colon}" for key in STATUSES},
        "location_facts": {},
        "chain_name": {chain.slug: plain(lang, chain, "name") for chain in atlas.chains},
        "chain_group": {chain.slug: chain.group for chain in atlas.chains},
        "park_name": {park.slug: plain(lang, park, "name") for park in atlas.parks},
        "district": {district: district_name(district, lang) for district in {
            placement.district for placement in atlas.placements.values() if placement and placement.district}},
    }


def place_data(atlas: Atlas, kind: str, entry: Park | Project, lang: Language, words: dict) -> dict | None:
    """One place for a map: where, how precisely, how it is drawn, and what its popup and list say
    (``words``: ``_place_words`` of the atlas and language)."""
    placement: Placement | None = atlas.placement(kind, entry.slug)
    if placement is None:
        return None
    precision = words["precision"][placement.precision]
    investment = count = None
    if kind == "projects":
        chain = entry.chain
        group = words["chain_group"][chain] if chain else "none"
        layer = chain or "none"
        chains = words["chain_name"][chain] if chain else words["unknown_chain"]
        investment = yi(entry.investment_yi, entry.investment_min_yi, lang)
        status = entry.status
        facts = words["status_facts"][status] + investment
        stage = STAGES[status]
    else:
        groups = {words["chain_group"][c] for c in entry.chains}
        group = groups.pop() if len(groups) == 1 else "none"
        layer = "parks"
        chains = words["list_separator"].join(words["chain_name"][c] for c in entry.chains) or words["unknown_chain"]
        count = len(atlas.projects_of_park.get(entry.slug, ()))
        facts = f"{words['kind_note']['parks']} · {words['projects_fact']}{words['colon']}" + lang.gettext(
            "%(count)s 个", count=count)
        stage = status = None
    via = words["park_name"][placement.via_park] if placement.via_park else None
    district = words["district"][placement.district] if placement.district else placement.district
    where = (placement.precision, district, via)
    location = words["location_facts"].get(where)
    if location is None:  # a few places in a district share it: made once
        location = words["location_facts"][where] = _location_fact(district, via, precision, lang, words)
    return {
        "kind": kind, "slug": entry.slug, "name": plain(lang, entry, "name"), "kind_label": words["kind"][kind],
        "name_html": localized(lang, entry, "name"),  # as a page's text shows it (markup: marked untranslated)
        "lat": placement.lat, "lon": placement.lon, "precision": placement.precision, "group": group,
        "stage": stage, "status": status, "radius_m": placement.radius_m,
        # for the map's data block and its table: the layer it toggles with, and how it is drawn
        "layer": layer, "chains_label": chains, "status_label": words["status"][status] if status else "—",
        "precision_label": precision, "draw": drawing_rule(placement.precision, placement.radius_m),
        "investment": investment, "count": count, "district": district, "via": via,
        "chains": None if kind == "projects" else chains,
        # its line in a map's list after the linked name: "(project) · Status: … · Investment: … · Location: …"
        "list_note": facts + location,
    }


def _location_fact(district: str | None, via: str | None, precision: str, lang: Language, words: dict) -> str:
    """The end of a place's list line: " · Location: <district> · <precision>" (and the park it is placed by)."""
    where = district or ""
    if via:
        where = lang.gettext("%(where)s（按所在园区 %(park)s）", where=where, park=via)
    return f" · {words['location_fact']}{words['colon']}{where} · {precision}" if where else \
        f" · {words['location_fact']}{words['colon']}{precision}"


@dataclass(frozen=True)
class Selection:
    """What a map of some parks and projects shows, as far as it follows from them and not from the page."""

    places: list[dict]  # place_data of the placed ones: parks, then projects, in the order asked
    unplaced: list[dict]  # {kind, slug, name_html} of the others (listed as "location unknown")
    legend: tuple[tuple[str, str], ...]  # map_legend of the places
    approximate: bool  # some places are only known to their district
    shown: str  # the end of the map's data block: which places it shows (PlaceEncoder.shown)


@dataclass(frozen=True)
class PlaceIndex:
    """Map data of a whole Atlas, computed once and shared by every map of a render."""

    records: dict[tuple[str, str], dict]  # (kind, slug) -> place_data, for placed entries only (links are per page)
    labels: dict[str, dict[str, str]]  # words for coded values (see map_labels)
    encoder: PlaceEncoder  # writes the maps' data blocks
    unplaced: dict[tuple[str, str], dict]  # (kind, slug) -> {kind, slug, name_html}: no known location
    lang: Language = CHINESE
    _selections: dict[tuple, Selection] = field(default_factory=dict, repr=False, compare=False)

    def selection(self, parks: tuple[Park, ...], projects: tuple[Project, ...]) -> Selection:
        """The Selection of a map of these entries, made once per set of entries: the home page's map and the full
        map show the same ten thousand places, in each language."""
        key = (tuple(park.slug for park in parks), tuple(project.slug for project in projects))
        found = self._selections.get(key)
        if found is None:
            places, unplaced = [], []
            for kind, slugs in zip(("parks", "projects"), key):
                for slug in slugs:
                    record = self.records.get((kind, slug))
                    if record is None:
                        unplaced.append(self.unplaced[(kind, slug)])
                    else:
                        places.append(record)
            legend = map_legend(places, self.lang)
            approximate = any(css_key == "district" for css_key, _ in legend)
            found = Selection(places, unplaced, legend, approximate, self.encoder.shown(places))
            self._selections[key] = found
        return found


# memo of place_index for the latest Atlas (a pure function), per language
_PLACES: dict[tuple[int, str], tuple[Atlas, Language, PlaceIndex]] = {}


def place_index(atlas: Atlas, lang: Language = CHINESE) -> PlaceIndex:
    """``place_data`` of every placed park and project, and the map labels, computed once per Atlas and language."""
    cached = _PLACES.get((id(atlas), lang.code))
    if cached is None or cached[0] is not atlas or cached[1].translations is not lang.translations:
        records, unplaced = {}, {}
        words = _place_words(atlas, lang)
        for kind, entries in (("parks", atlas.parks), ("projects", atlas.projects)):
            for entry in entries:
                place = place_data(atlas, kind, entry, lang, words)
                if place is not None:
                    records[(kind, entry.slug)] = place
                else:  # listed under a map that asks for it, as "location unknown"
                    unplaced[(kind, entry.slug)] = {"kind": kind, "slug": entry.slug,
                                                    "name_html": localized(lang, entry, "name")}
        labels = map_labels(atlas, lang)
        encoder = PlaceEncoder(records.values(), labels)
        for key in [key for key, value in _PLACES.items() if value[0] is not atlas]:
            del _PLACES[key]
        cached = _PLACES[(id(atlas), lang.code)] = (atlas, lang, PlaceIndex(
            records, labels, encoder, unplaced, lang))
    return cached[2]


def places_files(atlas: Atlas, datums, lang: Language = CHINESE) -> dict[str, bytes]:
    """The shared places script of every map, once per datum the site's maps are drawn in (under static/)."""
    encoder = place_index(atlas, lang).encoder
    return {"static/" + places_path(datum, lang.code): encoder.script(datum) for datum in dict.fromkeys(datums)}


def map_legend(places: Sequence[dict], lang: Language = CHINESE) -> tuple[tuple[str, str], ...]:
    """The legend keys a map needs, (css key, words): only what its places show, in a fixed order."""
    if len(places) == 1:  # a project page's map: no sets to make
        place = places[0]
        return _legend_of_one(place["kind"], place["stage"], place["group"], place["draw"], lang)
    kinds, stages, groups, draws = (frozenset(map(itemgetter(column), places))
                                    for column in ("kind", "stage", "group", "draw"))
    return _legend(kinds, stages, groups, draws, len(places) > 1, lang)


@functools.lru_cache(maxsize=256)
def _legend_of_one(kind: str, stage: str | None, group: str, draw: str | None, lang: Language) -> tuple:
    """``_legend`` of a map of one place, memoised by its four values (no sets made on every project page)."""
    return _legend(frozenset((kind,)), frozenset((stage,)), frozenset((group,)), frozenset((draw,)), False, lang)


@functools.lru_cache(maxsize=256)
def _legend(kinds: frozenset, stages: frozenset, groups: frozenset, draws: frozenset, several: bool,
            lang: Language = CHINESE) -> tuple:
    _ = lang.gettext
    items = [("park", _("园区"))] if "parks" in kinds else []
    items += [(stage, lang.gettext("项目：%(stage)s", stage=_(label))) for stage, label in STAGE_LABELS.items()
              if stage in stages]
    items += [(group, _(labels[0])) for group, labels in GROUPS.items() if group in groups]
    items += [("none", _("未说明产业链"))] if "none" in groups else []
    items += [("circle", _("大致范围（误差圈）"))] if "circle" in draws else []
    items += [("district", _("区（市）级，大致位置（高亮该区）"))] if "district" in draws else []
    items += [("cluster", _("同处多个地点，点击数字展开"))] if several else []
    return tuple(items)  # hashable: part of a small map's shape (site.small_map_html)


def map_labels(atlas: Atlas, lang: Language = CHINESE) -> dict[str, dict[str, str]]:
    """Words a map's popups and filters use for coded values; ``layer`` also gives the filter's order."""
    _ = lang.gettext
    return {
        "kind": {"parks": _("园区"), "projects": _("项目")},
        "status": {key: _(labels[0]) for key, labels in STATUSES.items()},
        "precision": {key: _(labels[0]) for key, labels in PRECISIONS.items()},
        "layer": {"parks": _("园区"), **{c.slug: plain(lang, c, "name") for c in atlas.chains},
                  "none": _("未说明产业链")},
        "text": {"status": _("状态"), "investment": _("投资"), "chain": _("产业链"), "location": _("位置"),
                 "projects": _("项目"), "count": _("个"), "via": _("按所在园区"),
                 "approximate": _(PRECISIONS["district"][0]),
                 # punctuation around the words the map script joins
                 "open": "（" if lang.primary else " (", "close": "）" if lang.primary else ")",
                 "colon": "：" if lang.primary else ": "},
    }


def investment_cell(project: Project, lang: Language = CHINESE) -> str:
    return yi(project.investment_yi, project.investment_min_yi, lang)


def status_options(projects, lang: Language = CHINESE) -> list[tuple[str, str]]:
    present = {p.status for p in projects}
    return [(key, lang.gettext(labels[0])) for key, labels in STATUSES.items() if key in present]


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
    district_key: str | None = None  # the district as the data names it (the filter's value)


def project_row(atlas: Atlas, project: Project, lang: Language = CHINESE) -> ProjectRow:
    return ProjectRow(project, atlas.chain_by_slug.get(project.chain or ""), atlas.park_by_slug.get(project.park or ""),
                      district_name(district_of(atlas, project), lang), investment_cell(project, lang),
                      chain_group(atlas, project), list(STATUSES).index(project.status), district_of(atlas, project))


@dataclass(frozen=True)
class Filter:
    name: str  # data attribute on each row
    label: str
    options: list[tuple[str, str]]  # (value, label)


def project_filters(atlas: Atlas, lang: Language = CHINESE) -> list[Filter]:
    _ = lang.gettext
    districts = sorted({d for p in atlas.projects if (d := district_of(atlas, p))})
    return [
        Filter("chain", _("产业链"), [(c.slug, plain(lang, c, "name")) for c in atlas.chains]
               + [("none", _("未说明产业链"))]),
        Filter("park", _("园区"), [(p.slug, plain(lang, p, "name")) for p in atlas.parks]
               + [("none", _("不在挂牌园区或未说明"))]),
        Filter("status", _("状态"), status_options(atlas.projects, lang)),
        Filter("district", _("区（市）"), [(d, district_name(d, lang)) for d in districts] + [("none", _("未知"))]),
    ]


@dataclass(frozen=True)
class SourceGroup:
    key: str
    anchor: str
    title: str
    url: str | None
    publisher: str | None
    date: str | None
    note: Markup | None  # the source's date note and remarks, in the page's language (or marked untranslated)
    citations: tuple


def source_groups(atlas: Atlas, lang: Language = CHINESE) -> list[SourceGroup]:
    """Each cited document (sources/ entries first, then web pages by address) with what cites it."""
    groups = []
    for source in atlas.content.sources:
        key = f"source:{source.slug}"
        note = Markup(" ").join(localized_text(lang, source, name) for name in ("date_note", "note")
                                if getattr(source, name)) or None
        groups.append(SourceGroup(key, source.slug, plain(lang, source, "title"), source.url,
                                  plain(lang, source, "publisher") if source.publisher else None, source.date, note,
                                  atlas.citations.get(key, ())))
    web = sorted(k for k in atlas.citations if k.startswith("url:"))
    for index, key in enumerate(web, 1):
        address = key.removeprefix("url:")
        groups.append(SourceGroup(key, f"web-{index}", host(address), address, None, None, None,
                                  atlas.citations[key]))
    return groups
