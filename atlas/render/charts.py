"""Build-time bar charts: the numbers and the geometry, computed here; ``partials/chart.html`` draws them.

Charts are plain inline SVG (no JavaScript), so they work from ``file://`` and in print. Each has a
title and a description for screen readers, and the same numbers as a table. Bars are horizontal
with the label above the bar, so long Chinese names fit on a 360 px phone. Colour repeats what a
label already says (chain group, status stage), never carries meaning alone. Unknown amounts get
no bar and the words 未披露, never a zero-length bar that reads as 0.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from atlas.i18n import N_, Language
from atlas.model import GROUPS, Project
from atlas.render.text import CHINESE, amount, group_label, plain, status_label
from atlas.render.views import STAGE_LABELS, STAGE_SHORT, STAGES, district_name, district_of
from atlas.resolve import GROUP_ORDER, Atlas, investment_total, status_counts

WIDTH = 360  # viewBox units; the chart scales to its box (at most 26rem wide, see atlas.css)
FONT = 14  # font size of every text, in viewBox units
BAR_HEIGHT = 14
ROW = 44  # label line, bar, gap
PAD = 4
VALUE_GAP = 6  # between a bar's end and its value
MARGIN = 4  # kept free at the right edge
MIN_PROJECTS = 2  # a chain or park page draws charts only when there is something to compare
UNKNOWN_DISTRICT = N_("区（市）未知")
NO_CHAIN = N_("未说明产业链")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: not disclosed, drawn without a bar
    value_label: str  # e.g. "103.2 亿元", "12 个", "未披露"
    tone: str  # css class giving the colour, e.g. "group-emerging", "stage-building"
    cells: tuple[str, ...] = ()  # the table row after the label cell
    link: tuple[str, str] | None = None  # (kind, slug) of the entry the row names


@dataclass(frozen=True)
class Row:
    """One bar placed in the SVG (coordinates as short decimal strings, so output is byte-stable)."""

    bar: Bar
    label_y: str
    bar_y: str
    bar_width: str | None  # None: no bar (unknown amount)
    value_x: str
    value_y: str


@dataclass(frozen=True)
class BarChart:
    id: str  # unique on its page; prefixes the ids of title and description
    title: str
    description: str
    columns: tuple[str, ...]  # table headers, the first naming the row label
    rows: tuple[Row, ...]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT
    font: int = FONT
    note: str = ""  # what the numbers do and do not include
    key: tuple[tuple[str, str], ...] = ()  # (tone, words) explaining the colours
    text_columns: int = 1  # leading table columns holding words; the rest are numbers (right-aligned)


def bar_chart(chart_id: str, title: str, columns: tuple[str, ...], bars: list[Bar], note: str = "",
              key: tuple[tuple[str, str], ...] = (), text_columns: int = 1, lang: Language = CHINESE) -> BarChart:
    """Lay out ``bars`` (in the order given) as a horizontal bar chart."""
    room = WIDTH - MARGIN - VALUE_GAP - max((text_width(b.value_label) for b in bars), default=0)
    largest = max((b.value for b in bars if b.value is not None), default=0)
    rows = []
    for index, bar in enumerate(bars):
        top = PAD + index * ROW
        bar_y = top + FONT + 6
        width = None
        if bar.value is not None:
            width = max(bar.value / largest * room, 2.0) if largest and bar.value > 0 else 0.0
        value_x = (width or 0) + (VALUE_GAP if width else 0)
        rows.append(Row(bar, _n(top + FONT), _n(bar_y), None if width is None else _n(width), _n(value_x),
                        _n(bar_y + BAR_HEIGHT - 2)))
    words = ("；" if lang.primary else "; ").join(f"{b.label} {b.value_label}" for b in bars)
    description = (lang.gettext("横向条形图，%(n)s 项：%(words)s。数字另见下表。", n=len(bars), words=words) if bars
                   else lang.gettext("没有数据。"))
    return BarChart(chart_id, title, description, columns, tuple(rows), WIDTH, PAD * 2 + len(bars) * ROW,
                    note=note, key=key, text_columns=text_columns)


def text_width(text: str, font: int = FONT) -> float:
    """A generous estimate of drawn width: wide (CJK) characters 1 em, others 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text) * font


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# --- the charts the pages show ----------------------------------------------------------------------

def investment_by_chain(atlas: Atlas, lang: Language = CHINESE) -> BarChart:
    """Disclosed investment per chain (chains with projects), coloured by chain group."""
    _ = lang.gettext
    ranked = []
    for group in GROUP_ORDER:
        for chain in atlas.chains_by_group.get(group, ()):
            projects = atlas.projects_of_chain.get(chain.slug, ())
            if projects:
                ranked.append((plain(lang, chain, "name"), group, ("chains", chain.slug), projects))
    if atlas.unchained_projects:
        ranked.append((_(NO_CHAIN), "none", None, atlas.unchained_projects))
    bars = []
    for name, group, link, projects in ranked:
        total = investment_total(projects)
        shown = amount(total.total_yi, lang) if total.disclosed else _("未披露")
        covers = (_("（%(disclosed)s/%(count)s 个项目披露）", disclosed=total.disclosed, count=total.count)
                  if total.disclosed else _("（%(count)s 个项目）", count=total.count))
        group_words = group_label(group, lang) if group in GROUPS else "—"
        bars.append(Bar(name, total.total_yi if total.disclosed else None, shown + covers, f"group-{group}",
                        (group_words, str(total.count), str(total.disclosed), shown), link))
    bars.sort(key=lambda b: -b.value if b.value is not None else 1)  # stable: group order among equals
    everything = investment_total(atlas.projects)
    empty = sum(1 for c in atlas.chains if not atlas.projects_of_chain.get(c.slug))
    note = _("只加总披露了投资额的项目：%(count)s 个项目中 %(disclosed)s 个披露投资，合计 %(total)s；"
             "%(undisclosed)s 个未披露，不计入，也不按 0 计。只给出下限（如“50 亿元以上”）的项目不计入合计。",
             count=everything.count, disclosed=everything.disclosed, total=amount(everything.total_yi, lang),
             undisclosed=everything.undisclosed)
    if empty:
        note += _("另有 %(n)s 条产业链在图集中尚无项目，未列入。", n=empty)
    groups = dict.fromkeys(b.tone for b in bars)
    key = tuple((tone, _(GROUPS[tone.removeprefix("group-")][0]) if tone != "group-none" else _(NO_CHAIN))
                for tone in groups)
    return bar_chart("chart-chain-investment", _("各产业链披露投资合计（亿元）"),
                     (_("产业链"), _("分组"), _("项目数"), _("披露投资的项目"), _("披露投资合计")), bars, note, key,
                     text_columns=2, lang=lang)


def projects_by_status(projects: tuple[Project, ...] | list[Project], chart_id: str = "chart-status",
                       lang: Language = CHINESE) -> BarChart:
    """Projects per status, in the order a project moves through them; coloured by stage and labelled."""
    _ = lang.gettext
    counts = status_counts(projects)
    bars = [Bar(status_label(status, lang), count, _("%(n)s 个", n=count), f"stage-{STAGES[status]}",
                (_(STAGE_SHORT[STAGES[status]]), str(count)))
            for status, count in counts.items()]
    stages = dict.fromkeys(STAGES[s] for s in counts)
    key = tuple((f"stage-{stage}", _(STAGE_LABELS[stage])) for stage in stages)
    note = _("共 %(n)s 个项目；状态是各项目来源所说的最新阶段。", n=len(projects))
    return bar_chart(chart_id, _("项目按状态"), (_("状态"), _("阶段"), _("项目数")), bars, note, key, text_columns=2,
                     lang=lang)


def projects_by_district(atlas: Atlas, projects: tuple[Project, ...] | list[Project],
                         chart_id: str = "chart-district", lang: Language = CHINESE) -> BarChart:
    """Projects per district (most first), with the disclosed investment of each district in the table."""
    _ = lang.gettext
    by_district: dict[str, list[Project]] = {}
    for project in projects:
        by_district.setdefault(district_of(atlas, project) or UNKNOWN_DISTRICT, []).append(project)
    counts = Counter({d: len(ps) for d, ps in by_district.items()})
    order = sorted(counts, key=lambda d: (d == UNKNOWN_DISTRICT, -counts[d], d))
    bars = []
    for district in order:
        total = investment_total(by_district[district])
        shown = (_("%(amount)s（%(n)s 个项目披露）", amount=amount(total.total_yi, lang), n=total.disclosed)
                 if total.disclosed else _("未披露"))
        tone = "stage-unknown" if district == UNKNOWN_DISTRICT else "district"
        bars.append(Bar(district_name(district, lang), counts[district], _("%(n)s 个", n=counts[district]), tone,
                        (str(counts[district]), shown)))
    note = _("共 %(n)s 个项目。区（市）取项目自身的位置，没有时取所在园区的位置；两者都没有的计入“%(unknown)s”。",
             n=len(projects), unknown=_(UNKNOWN_DISTRICT))
    return bar_chart(chart_id, _("项目按区（市）"), (_("区（市）"), _("项目数"), _("披露投资合计")), bars, note,
                     lang=lang)


def home_charts(atlas: Atlas, lang: Language = CHINESE) -> list[BarChart]:
    return [investment_by_chain(atlas, lang), projects_by_status(atlas.projects, lang=lang),
            projects_by_district(atlas, atlas.projects, lang=lang)]


def chain_charts(atlas: Atlas, projects: tuple[Project, ...], lang: Language = CHINESE) -> list[BarChart]:
    if len(projects) < MIN_PROJECTS:
        return []
    return [projects_by_status(projects, lang=lang), projects_by_district(atlas, projects, lang=lang)]


def park_charts(projects: tuple[Project, ...], lang: Language = CHINESE) -> list[BarChart]:
    return [projects_by_status(projects, lang=lang)] if len(projects) >= MIN_PROJECTS else []

