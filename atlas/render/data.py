"""Open data: ``data/atlas.json``, ``data/projects.csv``, the GeoJSON files and one CSV per chain.

Every file is made from the same Atlas as the pages, and each column is declared once below with
its meaning, so the schema on the data page cannot drift from the files. Unknown amounts are empty
(CSV) or ``null`` (JSON), never 0, with a column saying whether the amount was disclosed.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from atlas.i18n import N_, Language, language
from atlas.model import COMPARE_MEASURES, GROUPS, PRECISIONS, STATUSES, Park, Project
from atlas.render.csv_safety import neutralise_csv_cell
from atlas.render.reconcile import reconcile
from atlas.render.urls import UrlMode, absolute_url
from atlas.render.views import district_of, entry_path
from atlas.resolve import Atlas, InvestmentTotal, investment_total

FORMAT = "qingdao-atlas"
VERSION = 1
BOM = "\ufeff"  # so that Excel opens the CSV as UTF-8 and shows Chinese
LIST_SEPARATOR = " | "  # between the items of a list in one CSV cell (names may hold commas)
JSON_PATH, CSV_PATH = "data/atlas.json", "data/projects.csv"
PROJECTS_GEOJSON, PARKS_GEOJSON = "data/projects.geojson", "data/parks.geojson"


def chain_csv_path(slug: str) -> str:
    return f"data/chains/{slug}.csv"


@dataclass(frozen=True)
class Links:
    """Where an entry's page is: its path in the site, and its public address when the site has one."""

    mode: UrlMode

    def page(self, kind: str, slug: str) -> str:
        return entry_path(kind, slug)

    def url(self, kind: str, slug: str) -> str | None:
        return absolute_url(entry_path(kind, slug), self.mode)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text / number / true or false / list / code
    meaning: str  # a msgid (Chinese), translated on the data page
    value: Callable  # (atlas, entry, links) -> value; None when unknown
    vocabulary: dict | None = None  # codes listed after the meaning, with their words
    meaning_after: str = ""  # a msgid shown after the codes


def _placement(atlas: Atlas, kind: str, entry, attribute: str):
    placement = atlas.placement(kind, entry.slug)
    return getattr(placement, attribute) if placement else None


def _precision(atlas: Atlas, kind: str, entry) -> str | None:
    placement = atlas.placement(kind, entry.slug)
    if placement:
        return placement.precision
    return entry.location.precision if entry.location else None


def _chain(atlas: Atlas, project: Project):
    return atlas.chain_by_slug.get(project.chain or "")


def _refs(entry) -> list[str]:
    return list(dict.fromkeys(ref.source or ref.url or "" for ref in entry.sources))


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "text", N_("项目标识（条目文件名），页面为 projects/<slug>/"), lambda a, p, _: p.slug),
    Column("name", "text", N_("项目名称"), lambda a, p, _: p.name),
    Column("name_en", "text", N_("英文名称（空：尚无译名）"), lambda a, p, _: p.name_en),
    Column("status", "code", N_("状态代码："), lambda a, p, _: p.status, STATUSES),
    Column("status_zh", "text", N_("状态（中文）"), lambda a, p, _: STATUSES[p.status][0]),
    Column("status_note", "text", N_("来源对状态的原话"), lambda a, p, _: p.status_note),
    Column("chain", "code", N_("所属产业链的标识（空：来源未说明，不作推测）"), lambda a, p, _: p.chain),
    Column("chain_name", "text", N_("所属产业链名称"), lambda a, p, _: c.name if (c := _chain(a, p)) else None),
    Column("chain_group", "code", N_("产业链分组："), lambda a, p, _: c.group if (c := _chain(a, p)) else None, GROUPS),
    Column("park", "code", N_("所在园区的标识（空：不在图集园区内或未说明）"), lambda a, p, _: p.park),
    Column("park_name", "text", N_("所在园区名称"),
           lambda a, p, _: a.park_by_slug[p.park].name if p.park in a.park_by_slug else None),
    Column("investment_yi", "number", N_("投资额（亿元），照来源所给；未披露时留空，不是 0"),
           lambda a, p, _: p.investment_yi),
    Column("investment_disclosed", "true or false", N_("投资额是否披露（true：investment_yi 有值）"),
           lambda a, p, _: p.investment_yi is not None),
    Column("investment_min_yi", "number", N_("只披露下限时的下限（亿元，如“50 亿元以上”），不计入任何合计"),
           lambda a, p, _: p.investment_min_yi),
    Column("investment_note", "text", N_("关于投资额的说明"), lambda a, p, _: p.investment_note),
    Column("companies", "list", N_("相关企业"), lambda a, p, _: list(p.companies)),
    Column("district", "text", N_("区（市）：项目自身的位置，没有时取所在园区的位置（空：未知）"),
           lambda a, p, _: district_of(a, p)),
    Column("lat", "number", N_("地图上的点，纬度（WGS-84）；空：没有可以画出的位置"),
           lambda a, p, _: _placement(a, "projects", p, "lat")),
    Column("lon", "number", N_("地图上的点，经度（WGS-84）"), lambda a, p, _: _placement(a, "projects", p, "lon")),
    Column("precision", "code", N_("位置精度："), lambda a, p, _: _precision(a, "projects", p), PRECISIONS,
           N_("；district 的点是该区的代表点，不是项目的准确位置")),
    Column("via_park", "code", N_("位置取自所在园区时，该园区的标识（此时点是园区的位置，不是项目的）"),
           lambda a, p, _: _placement(a, "projects", p, "via_park")),
    Column("summary", "text", N_("摘要"), lambda a, p, _: p.summary),
    Column("sources", "list", N_("来源：sources/ 条目的标识或网页地址（引文见 atlas.json）"), lambda a, p, _: _refs(p)),
    Column("page", "text", N_("项目页面在网站中的路径"), lambda a, p, links: links.page("projects", p.slug)),
    Column("url", "text", N_("项目页面的网址（构建时未给网站地址则为空）"),
           lambda a, p, links: links.url("projects", p.slug)),
)
GEOJSON_SKIPPED = ("lat", "lon")  # the geometry carries them


def _park_total(atlas: Atlas, park: Park) -> InvestmentTotal:
    return investment_total(atlas.projects_of_park.get(park.slug, ()))


PARK_PROPERTIES: tuple[Column, ...] = (
    Column("slug", "text", N_("园区标识，页面为 parks/<slug>/"), lambda a, p, _: p.slug),
    Column("name", "text", N_("园区名称"), lambda a, p, _: p.name),
    Column("name_en", "text", N_("英文名称"), lambda a, p, _: p.name_en),
    Column("chains", "list", N_("园区对应的产业链标识"), lambda a, p, _: list(p.chains)),
    Column("listed", "text", N_("挂牌时间（YYYY 或 YYYY-MM；空：未说明）"), lambda a, p, _: p.listed),
    Column("district", "text", N_("区（市）（空：未知）"),
           lambda a, p, _: _placement(a, "parks", p, "district") or (p.location.district if p.location else None)),
    Column("precision", "code", N_("位置精度（同上）；district 的点是该区的代表点"),
           lambda a, p, _: _precision(a, "parks", p)),
    Column("projects", "number", N_("图集收录的园区项目数"), lambda a, p, _: _park_total(a, p).count),
    Column("projects_with_investment", "number", N_("其中披露投资的项目数"),
           lambda a, p, _: _park_total(a, p).disclosed),
    Column("investment_disclosed_total_yi", "number",
           N_("披露投资的项目合计（亿元），只含 projects_with_investment 个项目；都未披露时为空"),
           lambda a, p, _: _total_or_none(_park_total(a, p))),
    Column("page", "text", N_("园区页面在网站中的路径"), lambda a, p, links: links.page("parks", p.slug)),
    Column("url", "text", N_("园区页面的网址（未给网站地址则为空）"), lambda a, p, links: links.url("parks", p.slug)),
)

JSON_KEYS: tuple[tuple[str, str], ...] = (  # (keys, msgid); %(format)s and %(version)s are filled in
    ("format, version", N_("固定为 \"%(format)s\" 与 %(version)s；结构改变时版本加一")),
    ("title, title_en, description, base_url", N_("网站设置（atlas.yaml）")),
    ("vocabularies", N_("状态、分组、位置精度、比较口径的代码与中英文名称")),
    ("totals", N_("全部项目数与投资合计：total_yi 只含 disclosed 个披露了投资的项目（都未披露时为 null）")),
    ("chains, parks, projects, sources, pages",
     N_("全部条目，字段与内容格式一致（见 README 的 Content format），未给的字段为 null；另加计算所得："
     "file（内容文件）、page、url；园区与项目有 placement（地图上的点：lat、lon、precision、district、"
     "via_park，无位置时为 null）；项目有 district 与 investment_disclosed；产业链与园区有 projects（项目标识）"
     "与 investment；来源有 cited_by（引用它的条目与引文）")),
    ("figures", N_("来源报道的全市数字（figures.yaml），每项带 atlas：图集中可比的子集（subset）、条目数（count）、"
                   "投资合计（investment）与说明（note）；没有可比子集时 comparable 为 false")),
)


# --- the files ------------------------------------------------------------------------------------

def data_files(atlas: Atlas, mode: UrlMode) -> dict[str, bytes]:
    """Every open-data file of the site, keyed by output path."""
    links = Links(mode)
    rows = {p.slug: csv_row(atlas, p, links) for p in atlas.projects}  # each row is in two files: make it once
    files = {
        JSON_PATH: atlas_json(atlas, links),
        CSV_PATH: csv_file(rows[p.slug] for p in atlas.projects),
        PROJECTS_GEOJSON: geojson(atlas, "projects", atlas.projects, PROJECT_COLUMNS, links),
        PARKS_GEOJSON: geojson(atlas, "parks", atlas.parks, PARK_PROPERTIES, links),
    }
    for chain in atlas.chains:
        files[chain_csv_path(chain.slug)] = csv_file(rows[p.slug] for p in atlas.projects_of_chain.get(chain.slug, ()))
    return files


def csv_cell(value: object) -> str:
    """Every CSV cell passes through here: unknown is empty, lists joined, numbers as the source wrote them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return plain_number(value)
    if isinstance(value, list):
        return neutralise_csv_cell(LIST_SEPARATOR.join(str(item) for item in value))
    return neutralise_csv_cell(str(value))  # text a spreadsheet would run as a formula gets a leading '


def plain_number(value: float | int) -> str:
    """50.0 -> '50', 3.2 -> '3.2': no thousands separators and no float noise, for spreadsheets."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def csv_row(atlas: Atlas, project: Project, links: Links) -> list[str]:
    return [csv_cell(column.value(atlas, project, links)) for column in PROJECT_COLUMNS]


def csv_file(rows: Iterable[list[str]]) -> bytes:
    """A projects CSV: UTF-8 with a byte-order mark, CRLF line ends (RFC 4180), the header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in PROJECT_COLUMNS])
    writer.writerows(rows)
    return (BOM + out.getvalue()).encode("utf-8")


def geojson(atlas: Atlas, kind: str, entries: Iterable, columns: tuple[Column, ...], links: Links) -> bytes:
    """A FeatureCollection (RFC 7946, WGS-84): an entry with no known location has ``geometry: null``."""
    features = []
    for entry in entries:
        placement = atlas.placement(kind, entry.slug)
        geometry = {"type": "Point", "coordinates": [placement.lon, placement.lat]} if placement else None
        properties = {c.name: c.value(atlas, entry, links) for c in columns if c.name not in GEOJSON_SKIPPED}
        features.append({"type": "Feature", "id": entry.slug, "geometry": geometry, "properties": properties})
    return _json({"type": "FeatureCollection", "features": features})


def atlas_json(atlas: Atlas, links: Links) -> bytes:
    settings = atlas.settings
    document = {
        "format": FORMAT, "version": VERSION,
        "title": settings.title, "title_en": settings.title_en, "description": settings.description,
        "base_url": links.mode.base_url,
        "vocabularies": {
            "statuses": _vocabulary(STATUSES), "groups": _vocabulary(GROUPS), "precisions": _vocabulary(PRECISIONS),
            "compare_measures": _vocabulary(COMPARE_MEASURES),
        },
        "totals": {"chains": len(atlas.chains), "parks": len(atlas.parks), "projects": len(atlas.projects),
                   "investment": _investment(investment_total(atlas.projects))},
        "chains": [_entry(atlas, "chains", c, links, {
            "projects": [p.slug for p in atlas.projects_of_chain.get(c.slug, ())],
            "parks": [p.slug for p in atlas.parks_of_chain.get(c.slug, ())],
            "investment": _investment(investment_total(atlas.projects_of_chain.get(c.slug, ()))),
        }) for c in atlas.chains],
        "parks": [_entry(atlas, "parks", p, links, {
            "placement": _plain_placement(atlas, "parks", p.slug),
            "projects": [x.slug for x in atlas.projects_of_park.get(p.slug, ())],
            "investment": _investment(_park_total(atlas, p)),
        }) for p in atlas.parks],
        "projects": [_entry(atlas, "projects", p, links, {
            "placement": _plain_placement(atlas, "projects", p.slug), "district": district_of(atlas, p),
            "investment_disclosed": p.investment_yi is not None,
        }) for p in atlas.projects],
        "sources": [{**_plain(s), "file": _file(atlas, s.path), "cited_by": [
            {"kind": c.kind, "slug": c.slug, "quote": c.quote} for c in atlas.citations.get(f"source:{s.slug}", ())
        ]} for s in atlas.content.sources],
        "pages": [{**_plain(p), "file": _file(atlas, p.path), "page": f"{p.slug}/index.html",
                   "url": absolute_url(f"{p.slug}/index.html", links.mode)} for p in atlas.content.pages],
        "figures": [{**_plain(f), "atlas": _reconciled(atlas, f)} for f in atlas.content.figures],
    }
    return _json(document)


def _entry(atlas: Atlas, kind: str, entry, links: Links, computed: dict) -> dict:
    return {**_plain(entry), "file": _file(atlas, entry.path), "page": links.page(kind, entry.slug),
            "url": links.url(kind, entry.slug), **computed}


_LEAVES = frozenset({str, int, float, bool, type(None)})  # most values: answered before the data-class lookup


def _plain(value):
    """A model value as JSON data: data classes become objects (without file paths and draft flags)."""
    if type(value) in _LEAVES:
        return value
    names = _exported_fields(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


@functools.lru_cache(maxsize=64)
def _exported_fields(cls: type) -> tuple[str, ...] | None:
    """The field names a model class exports, or None when it is not a data class (asked per value: cached)."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("path", "draft"))


def _file(atlas: Atlas, path: Path) -> str:
    path, root = Path(path), f"{atlas.content.root}/"
    if str(path).startswith(root) and root != "//":  # what relative_to gives (a Path is normalised), cheaper
        return str(path)[len(root):]
    try:
        return path.relative_to(atlas.content.root).as_posix()
    except ValueError:
        return path.name


def _plain_placement(atlas: Atlas, kind: str, slug: str) -> dict | None:
    placement = atlas.placement(kind, slug)
    if placement is None:
        return None
    return {"lat": placement.lat, "lon": placement.lon, "precision": placement.precision,
            "district": placement.district, "via_park": placement.via_park, "radius_m": placement.radius_m}


def _investment(total: InvestmentTotal) -> dict:
    return {"total_yi": _total_or_none(total), "disclosed": total.disclosed, "undisclosed": total.undisclosed}


def _total_or_none(total: InvestmentTotal) -> float | None:
    return total.total_yi if total.disclosed else None


def _reconciled(atlas: Atlas, figure) -> dict:
    found = reconcile(atlas, figure)
    return {"comparable": found.comparable, "subset": found.subset or None, "count": found.count,
            "investment": _investment(found.investment) if found.investment else None, "holds": found.holds,
            "members": [m.slug for m in found.members], "note": found.note}


def _vocabulary(words: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {key: {"zh": zh, "en": en} for key, (zh, en) in words.items()}


def _json(document: dict) -> bytes:
    # compact: an indent would switch json to its pure-Python encoder, several times slower at 10,000 projects
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --- the data page --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Download:
    path: str  # output path, linked with the page's file() helper
    title: str
    what: str  # format and contents in a few words
    count: str  # e.g. "38 行"


def downloads(atlas: Atlas, lang: Language | None = None) -> list[Download]:
    """The site-wide files, in the order the data page lists them."""
    _ = (lang or _CHINESE).gettext
    placed = sum(1 for p in atlas.projects if atlas.placement("projects", p.slug))
    placed_parks = sum(1 for p in atlas.parks if atlas.placement("parks", p.slug))
    projects, parks = len(atlas.projects), len(atlas.parks)
    return [
        Download(JSON_PATH, "atlas.json", _("JSON：全部条目、来源、全市数字与计算所得的合计"),
                 _("%(n)s 个项目", n=projects)),
        Download(CSV_PATH, "projects.csv", _("CSV（UTF-8，带 BOM，Excel 可直接打开）：每个项目一行"),
                 _("%(n)s 行", n=projects)),
        Download(PROJECTS_GEOJSON, "projects.geojson", _("GeoJSON（WGS-84）：每个项目一个要素"),
                 _("%(n)s 个要素，%(placed)s 个有位置", n=projects, placed=placed)),
        Download(PARKS_GEOJSON, "parks.geojson", _("GeoJSON（WGS-84）：每个园区一个要素"),
                 _("%(n)s 个要素，%(placed)s 个有位置", n=parks, placed=placed_parks)),
    ]


@dataclass(frozen=True)
class ColumnDoc:
    """One row of a file's schema on the data page, in the page's language."""

    name: str
    kind: str
    meaning: str


def column_docs(columns: Iterable[Column], lang: Language) -> list[ColumnDoc]:
    separator = "、" if lang.primary else "; "
    docs = []
    for column in columns:
        meaning = lang.gettext(column.meaning)
        if column.vocabulary:
            meaning += separator.join(f"{key} {lang.gettext(words[0])}" for key, words in column.vocabulary.items())
        docs.append(ColumnDoc(column.name, column.kind, meaning + lang.gettext(column.meaning_after)))
    return docs


def data_page(atlas: Atlas, lang: Language | None = None) -> dict:
    """What the data page shows (in ``lang``): the files, one CSV per chain, and the schema of each file."""
    lang = lang or _CHINESE
    chain_files = [(chain, chain_csv_path(chain.slug), len(atlas.projects_of_chain.get(chain.slug, ())))
                   for chain in atlas.chains]
    json_keys = [(keys, lang.gettext(meaning, format=FORMAT, version=VERSION) if "%(" in meaning
                  else lang.gettext(meaning)) for keys, meaning in JSON_KEYS]
    return {"downloads": downloads(atlas, lang), "chain_files": chain_files,
            "project_columns": column_docs(PROJECT_COLUMNS, lang),
            "park_properties": column_docs(PARK_PROPERTIES, lang),
            "json_keys": json_keys, "list_separator": LIST_SEPARATOR.strip()}


_CHINESE = language("zh")
