"""The content model: plain, frozen data classes that are complete when created.

Loading and validation (``atlas.content``) turn files into these; ``atlas.resolve`` links them into
an :class:`~atlas.resolve.Atlas`. Nothing downstream mutates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from atlas.i18n import N_

STATUSES: dict[str, tuple[str, str]] = {
    # key: (Chinese label, English label), in the order a project moves through them. Pages translate the
    # Chinese label through the catalogs (it is the msgid); the English one names the code in atlas.json.
    "planning": (N_("规划"), "Planning"),
    "signed": (N_("签约"), "Signed"),
    "landed": (N_("落地"), "Landed"),
    "permitted": (N_("取得许可"), "Permitted"),
    "started": (N_("开工"), "Started"),
    "under_construction": (N_("在建"), "Under construction"),
    "structure_complete": (N_("主体完工/封顶"), "Structure complete"),
    "completed": (N_("竣工"), "Completed"),
    "in_operation": (N_("投产/运营"), "In operation"),
    "unspecified": (N_("未说明"), "Not stated"),
}

GROUPS: dict[str, tuple[str, str]] = {
    "advantage": (N_("优势产业"), "Advantage industries"),
    "emerging": (N_("新兴产业"), "Emerging industries"),
    "service": (N_("现代服务业"), "Modern services"),
    "unstated": (N_("分组未说明"), "Group not stated"),
}

BASES: dict[str, tuple[str, str]] = {
    "stated": (N_("来源明确"), "stated by the source"),
    "implied": (N_("来源暗示"), "implied by the source"),
    "external": (N_("外部来源"), "from an external source"),
}

PRECISIONS: dict[str, tuple[str, str]] = {
    "site": (N_("具体地点"), "exact site"),
    "area": (N_("大致范围"), "approximate area"),
    "district": (N_("区（市）级，大致位置"), "approximate (district)"),
    "city": (N_("仅知在青岛市内"), "somewhere in Qingdao"),
}


@dataclass(frozen=True)
class SourceRef:
    """Where a claim comes from: a ``sources/`` entry or a web page, with the supporting words."""

    quote: str
    source: str | None = None
    url: str | None = None
    page: str | None = None
    date: str | None = None
    note: str | None = None
    note_en: str | None = None

    @property
    def key(self) -> str:
        return f"source:{self.source}" if self.source else f"url:{self.url}"


@dataclass(frozen=True)
class Fact:
    text: str
    ref: SourceRef
    text_en: str | None = None


COMPARE_MEASURES: dict[str, tuple[str, str]] = {
    "projects": (N_("项目数"), "number of projects"),
    "investment": (N_("披露投资合计"), "disclosed investment"),
    "parks": (N_("园区数"), "number of parks"),
    "chains": (N_("产业链数"), "number of chains"),
    "none": (N_("无可比子集"), "no comparable subset"),
}
COMPARE_SCOPES: dict[str, tuple[str, str]] = {
    "city": (N_("全部条目"), "every entry"),
    "parks": (N_("图集园区内的项目"), "projects in the atlas's parks"),
}


@dataclass(frozen=True)
class Comparison:
    """Which entries of the atlas a reported figure is set beside on the figures page (``compare``)."""

    measure: str  # a COMPARE_MEASURES key; "none" says no subset of the atlas is comparable
    scope: str = "city"
    status: tuple[str, ...] = ()  # projects in any of these statuses (empty: every status)
    over_yi: float | None = None  # projects known to exceed this amount (亿元)
    listed_in: str | None = None  # parks listed in this year (YYYY)
    note: str | None = None  # why the two numbers differ, in plain words
    note_en: str | None = None


@dataclass(frozen=True)
class Figure:
    label: str
    value: float | int | str
    ref: SourceRef
    id: str | None = None
    label_en: str | None = None
    unit: str | None = None
    unit_en: str | None = None
    period: str | None = None
    period_en: str | None = None
    reported_by: str | None = None
    reported_by_en: str | None = None
    note: str | None = None
    note_en: str | None = None
    compare: Comparison | None = None  # figures.yaml: the atlas subset it is compared with


@dataclass(frozen=True)
class Location:
    precision: str
    lat: float | None = None
    lon: float | None = None
    district: str | None = None
    radius_m: float | None = None
    note: str | None = None
    note_en: str | None = None
    ref: SourceRef | None = None
    outside_qingdao: bool = False


@dataclass(frozen=True)
class Milestone:
    date: str
    note: str
    ref: SourceRef
    status: str | None = None
    note_en: str | None = None
    expected: bool = False


@dataclass(frozen=True)
class Source:
    slug: str
    path: Path
    title: str
    title_en: str | None = None
    publisher: str | None = None
    publisher_en: str | None = None
    author: str | None = None
    author_en: str | None = None
    date: str | None = None
    date_note: str | None = None
    date_note_en: str | None = None
    url: str | None = None
    note: str | None = None
    note_en: str | None = None


@dataclass(frozen=True)
class Chain:
    slug: str
    path: Path
    name: str
    group: str
    sources: tuple[SourceRef, ...]
    name_en: str | None = None
    group_basis: str | None = None
    group_ref: SourceRef | None = None
    named: str = "stated"
    named_note: str | None = None
    named_note_en: str | None = None
    leader: str | None = None
    leader_en: str | None = None
    summary: str | None = None
    summary_en: str | None = None
    facts: tuple[Fact, ...] = ()
    figures: tuple[Figure, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    body: str = ""
    body_en: str = ""
    draft: bool = False  # left out of the site unless built with --drafts


@dataclass(frozen=True)
class Park:
    slug: str
    path: Path
    name: str
    sources: tuple[SourceRef, ...]
    name_en: str | None = None
    chains: tuple[str, ...] = ()
    chains_basis: str | None = None
    named: str = "stated"
    location: Location | None = None
    listed: str | None = None
    listed_note: str | None = None
    listed_note_en: str | None = None
    operator: str | None = None
    operator_en: str | None = None
    enterprises: tuple[str, ...] = ()
    enterprises_en: tuple[str, ...] = ()  # item by item, the same order as ``enterprises``
    policies: tuple[Fact, ...] = ()
    summary: str | None = None
    summary_en: str | None = None
    facts: tuple[Fact, ...] = ()
    figures: tuple[Figure, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    body: str = ""
    body_en: str = ""
    draft: bool = False  # left out of the site unless built with --drafts


@dataclass(frozen=True)
class Project:
    slug: str
    path: Path
    name: str
    status: str
    sources: tuple[SourceRef, ...]
    name_en: str | None = None
    chain: str | None = None
    chain_basis: str | None = None
    park: str | None = None
    park_basis: str | None = None
    status_note: str | None = None
    status_note_en: str | None = None
    investment_yi: float | None = None
    investment_min_yi: float | None = None
    investment_note: str | None = None
    investment_note_en: str | None = None
    companies: tuple[str, ...] = ()
    companies_en: tuple[str, ...] = ()  # item by item, the same order as ``companies``
    capacity: tuple[str, ...] = ()
    capacity_en: tuple[str, ...] = ()
    location: Location | None = None
    milestones: tuple[Milestone, ...] = ()
    summary: str | None = None
    summary_en: str | None = None
    tags: tuple[str, ...] = ()
    tags_en: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    body: str = ""
    body_en: str = ""
    draft: bool = False  # left out of the site unless built with --drafts


@dataclass(frozen=True)
class Page:
    slug: str
    path: Path
    title: str
    title_en: str | None = None
    summary: str | None = None
    summary_en: str | None = None
    body: str = ""
    body_en: str = ""
    draft: bool = False  # left out of the site unless built with --drafts


@dataclass(frozen=True)
class MapSettings:
    center: tuple[float, float] = (36.25, 120.2)
    zoom: int = 9
    tiles: str = "osm"


@dataclass(frozen=True)
class Settings:
    title: str
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    base_url: str | None = None
    map: MapSettings = field(default_factory=MapSettings)
    headline_figures: tuple[str, ...] = ()  # ids from figures.yaml shown on the home page
