"""The figures page: each figure a source reports, beside what the atlas itself holds.

A reported figure counts things the atlas mostly does not list one by one (76 projects in the parks;
the atlas names a few of them). ``reconcile`` computes, from entries, the subset a figure's
``compare`` names, so the page can show both numbers and say which is which. Totals never count an
unknown amount: they say how many entries disclosed one. Every sentence is a catalog message with
placeholders, so the English figures page reads English.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.i18n import N_, Language
from atlas.model import STATUSES, Comparison, Figure, Park, Project
from atlas.render.text import CHINESE, date_label, plain, status_label, yi
from atlas.resolve import Atlas, InvestmentTotal, investment_total

NO_SUBSET = N_("图集没有可比的子集")
DEFAULT_NOTES = {
    "none": N_("图集只收录来源点名的产业链、园区和项目，不汇总这一类统计，因此没有可以并列的数字。"),
    "projects": N_("报道的统计包括图集没有逐一收录的项目：图集只收录来源点名的项目。"
                   "图集中项目的状态是其来源所说的最新阶段，可能晚于报道的时间。"),
    "investment": N_("报道的总额包括图集没有逐一收录的项目；图集的合计只加总披露了投资额的项目，"
                     "未披露的不计入，因此只能小于或等于报道的总额。"),
    "parks": N_("图集为来源点名的每个园区建一页。"),
    "chains": N_("图集为来源提到的每个产业（链）建一页。"),
}


@dataclass(frozen=True)
class Member:
    """One entry counted in an atlas subset, with its amount where that matters."""

    kind: str  # parks / projects / chains
    slug: str
    name: str
    detail: str = ""  # e.g. "在建 · 50 亿元"


@dataclass(frozen=True)
class Reconciled:
    figure: Figure
    comparable: bool
    subset: str  # the atlas subset in words ("图集园区内、状态为……的项目")
    holds: str  # what the atlas holds, in words ("7 个项目披露投资，合计 265 亿元")
    count: int | None  # entries in the subset (None: no comparable subset)
    investment: InvestmentTotal | None  # measure "investment" only
    members: tuple[Member, ...]
    note: str  # why the two numbers differ
    source_note: str | None  # the figure's own note (e.g. how the source words a share)


def reconcile_all(atlas: Atlas, lang: Language = CHINESE) -> list[Reconciled]:
    """Every city figure (figures.yaml) with the atlas subset it is compared with, in ``lang``."""
    return [reconcile(atlas, figure, lang) for figure in atlas.content.figures]


def reconcile(atlas: Atlas, figure: Figure, lang: Language = CHINESE) -> Reconciled:
    _ = lang.gettext
    compare = figure.compare or Comparison("none")
    # a figure's own note is read into its source reference (both spell it ``note``)
    source_note = figure.note or figure.ref.note
    # an editor's note is content (the template shows note_en or the Chinese, marked); the default is ours
    note = compare.note or _(DEFAULT_NOTES[compare.measure])
    if compare.measure == "none":
        return Reconciled(figure, False, "", _(NO_SUBSET), None, None, (), note, source_note)
    if compare.measure == "parks":
        parks = subset_parks(atlas, compare)
        members = tuple(Member("parks", p.slug, plain(lang, p, "name"),
                               _("挂牌 %(date)s", date=p.listed) if p.listed else "") for p in parks)
        return Reconciled(figure, True, describe(compare, lang), _("%(n)s 个园区", n=len(parks)), len(parks), None,
                          members, note, source_note)
    if compare.measure == "chains":
        chains = atlas.chains
        members = tuple(Member("chains", c.slug, plain(lang, c, "name")) for c in chains)
        return Reconciled(figure, True, describe(compare, lang), _("%(n)s 条产业链", n=len(chains)), len(chains),
                          None, members, note, source_note)
    projects, unknown = subset_projects(atlas, compare)
    members = tuple(Member("projects", p.slug, plain(lang, p, "name"), project_detail(p, lang)) for p in projects)
    total = investment_total(projects) if compare.measure == "investment" else None
    holds = investment_words(total, lang) if total is not None else _("%(n)s 个项目", n=len(projects))
    if unknown:
        holds += _("；另有 %(n)s 个同类项目未披露投资，无法判断是否超过 %(amount)s", n=unknown,
                   amount=_amount(compare.over_yi, lang))
    return Reconciled(figure, True, describe(compare, lang), holds, len(projects), total, members, note, source_note)


def subset_projects(atlas: Atlas, compare: Comparison) -> tuple[list[Project], int]:
    """Projects in the compared subset, and how many more might belong but hide their amount."""
    candidates = [p for p in atlas.projects
                  if (compare.scope != "parks" or p.park in atlas.park_by_slug)
                  and (not compare.status or p.status in compare.status)]
    if compare.over_yi is None:
        return candidates, 0
    over = [p for p in candidates if known_over(p, compare.over_yi)]
    unknown = sum(1 for p in candidates if p.investment_yi is None and not known_over(p, compare.over_yi))
    return over, unknown


def known_over(project: Project, threshold: float) -> bool:
    """True when the disclosed amount, or a disclosed lower bound, exceeds ``threshold``."""
    if project.investment_yi is not None:
        return project.investment_yi > threshold
    return project.investment_min_yi is not None and project.investment_min_yi > threshold


def subset_parks(atlas: Atlas, compare: Comparison) -> list[Park]:
    if compare.listed_in is None:
        return list(atlas.parks)
    return [p for p in atlas.parks if p.listed and p.listed.startswith(compare.listed_in)]


def _amount(value: float | int, lang: Language) -> str:
    """'50 亿元' / 'CNY 5 billion' (the sentences were written with the Chinese '50 亿元' spacing)."""
    return yi(value, None, lang)


def investment_words(total: InvestmentTotal, lang: Language = CHINESE) -> str:
    """'3 个项目中 2 个披露投资，合计 103.2 亿元（1 个未披露，不计入）'; never a 0 for unknown amounts."""
    _ = lang.gettext
    if total.count == 0:
        return _("图集中没有这样的项目")
    if total.disclosed == 0:
        return _("%(n)s 个项目，均未披露投资", n=total.count)
    words = _("%(n)s 个项目披露投资，合计 %(amount)s", n=total.disclosed, amount=_amount(total.total_yi, lang))
    if total.undisclosed:
        words += _("（另 %(n)s 个未披露，不计入）", n=total.undisclosed)
    return words


def describe(compare: Comparison, lang: Language = CHINESE) -> str:
    """The atlas subset in words, e.g. '图集园区内、状态为开工、在建的项目，投资超过 50 亿元'."""
    _ = lang.gettext
    if compare.measure == "parks":
        if compare.listed_in:
            return _("图集中挂牌于%(date)s的园区", date=date_label(compare.listed_in, lang))
        return _("图集中的全部园区")
    if compare.measure == "chains":
        return _("图集中的全部产业链页面")
    statuses = [key for key in STATUSES if key in compare.status]  # vocabulary order, whatever the YAML order
    names = ("、" if lang.primary else ", ").join(status_label(s, lang) for s in statuses)
    if compare.scope == "parks":
        words = _("图集园区内、状态为%(statuses)s的项目", statuses=names) if statuses else _("图集园区内的项目")
    else:
        words = _("图集中、状态为%(statuses)s的项目", statuses=names) if statuses else _("图集中的项目")
    if compare.over_yi is not None:
        words += _("，投资超过 %(amount)s", amount=_amount(compare.over_yi, lang))
    return words


def project_detail(project: Project, lang: Language = CHINESE) -> str:
    return f"{status_label(project.status, lang)} · {yi(project.investment_yi, project.investment_min_yi, lang)}"
