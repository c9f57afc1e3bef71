"""The content model: plain, frozen data classes that are complete when created.

Loading and validation (``atlas.content``) turn files into these; ``atlas.resolve`` links them into
an :class:`~atlas.resolve.Atlas`. Nothing downstream mutates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STATUSES: dict[str, tuple[str, str]] = {
    # key: (Chinese label, English label), in the order a project moves through them
    "planning": ("规划", "Planning"),
    "signed": ("签约", "Signed"),
    "landed": ("落地", "Landed"),
    "permitted": ("取得许可", "Permitted"),
    "started": ("开工", "Started"),
    "under_construction": ("在建", "Under construction"),
    "structure_complete": ("主体完工/封顶", "Structure complete"),
    "completed": ("竣工", "Completed"),
    "in_operation": ("投产/运营", "In operation"),
    "unspecified": ("未说明", "Not stated"),
}

GROUPS: dict[str, tuple[str, str]] = {
    "advantage": ("优势产业", "Advantage industries"),
    "emerging": ("新兴产业", "Emerging industries"),
    "service": ("现代服务业", "Modern services"),
    "unstated": ("分组未说明", "Group not stated"),
}

BASES: dict[str, tuple[str, str]] = {
    "stated": ("来源明确", "stated by the source"),
    "implied": ("来源暗示", "implied by the source"),
    "external": ("外部来源", "from an external source"),
}

PRECISIONS: dict[str, tuple[str, str]] = {
    "site": ("具体地点", "exact site"),
    "area": ("大致范围", "approximate area"),
    "district": ("区（市）级，大致位置", "approximate (district)"),
    "city": ("仅知在青岛市内", "somewhere in Qingdao"),
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

    @property
    def key(self) -> str:
        return f"source:{self.source}" if self.source else f"url:{self.url}"


@dataclass(frozen=True)
class Fact:
    text: str
    ref: SourceRef
    text_en: str | None = None


COMPARE_MEASURES: dict[str, tuple[str, str]] = {
    "projects": ("项目数", "number of projects"),
    "investment": ("披露投资合计", "disclosed investment"),
    "parks": ("园区数", "number of parks"),
    "chains": ("产业链数", "number of chains"),
    "none": ("无可比子集", "no comparable subset"),
}
COMPARE_SCOPES: dict[str, tuple[str, str]] = {
    "city": ("全部条目", "every entry"),
    "parks": ("图集园区内的项目", "projects in the atlas's parks"),
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
    reported_by: str | None = None
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
    date: str | None = None
    date_note: str | None = None
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
    leader: str | None = None
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
    operator: str | None = None
    enterprises: tuple[str, ...] = ()
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
    investment_yi: float | None = None
    investment_min_yi: float | None = None
    investment_note: str | None = None
    companies: tuple[str, ...] = ()
    capacity: tuple[str, ...] = ()
    location: Location | None = None
    milestones: tuple[Milestone, ...] = ()
    summary: str | None = None
    summary_en: str | None = None
    tags: tuple[str, ...] = ()
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
