"""Typed field readers: turn one raw YAML value into a model value, or record a problem.

Each reader takes a :class:`Checker` (which knows the file and the line of every field) and
returns the converted value, or ``None`` after recording why the value is wrong.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from atlas.content.load import LineDict, LineList, slug_problem
from atlas.model import (
    BASES,
    COMPARE_MEASURES,
    COMPARE_SCOPES,
    PRECISIONS,
    STATUSES,
    Comparison,
    Fact,
    Figure,
    Location,
    Milestone,
    SourceRef,
)
from atlas.problems import Problem

QINGDAO_LAT = (35.5, 37.2)
QINGDAO_LON = (119.5, 121.0)
MAX_TEXT_CHARS = 5_000  # one field's text; the longest in the Qingdao content is under 700
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(word: object, choices: Iterable[str]) -> str:
    choices = list(choices)
    shown = str(word) if len(str(word)) <= 60 else str(word)[:60] + "…"
    return f"'{shown}' is not one of {', '.join(choices)}{did_you_mean(str(word), choices)}"


@dataclass
class Checker:
    """Problems of one file, with the field path ("location.lat") prefixed to each."""

    path: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, name, message))


@dataclass(frozen=True)
class Spec:
    reader: Callable
    required: bool = False


def read_fields(check: Checker, data: LineDict, specs: dict[str, Spec], prefix: str = "") -> dict:
    """Check ``data`` against ``specs``: unknown fields, missing required ones, each value's type."""
    values: dict = {}
    for key, first, again in getattr(data, "duplicates", ()):
        check.add(again, prefix + key, f"'{key}' is written twice (first on line {first}); keep one of the two")
    for key in data:
        if key not in specs:
            check.add(data.line_of(key), prefix + key,
                      f"unknown field{did_you_mean(key, specs)}; allowed here: {', '.join(specs)}")
    for key, spec in specs.items():
        raw = data.get(key)
        if raw is None or raw == "" or raw == []:
            if spec.required and key in data:
                check.add(data.line_of(key), prefix + key, f"required field '{key}' is empty; fill it in")
            elif spec.required:
                check.add(data.line, prefix + key, f"required field '{key}' is missing; add a '{key}:' line")
            continue
        value = spec.reader(check, raw, data.line_of(key), prefix + key)
        if value is not None:
            values[key] = value
    return values


# --- scalar readers -------------------------------------------------------------------------------

def _scalar(check: Checker, raw: object, line: int, name: str, expected: str) -> str | None:
    """The value as stripped text, or None (with a problem) when it is a list, a group, true/false, binary or huge."""
    if isinstance(raw, (bool, dict, list, bytes)):
        check.add(line, name, f"expected {expected}, found {_describe(raw)}")
        return None
    return _not_too_long(check, str(raw).strip(), line, name)


def _not_too_long(check: Checker, value: str, line: int, name: str) -> str | None:
    if len(value) <= MAX_TEXT_CHARS:
        return value
    check.add(line, name, f"the text is {len(value):,} characters long; a field holds at most {MAX_TEXT_CHARS:,} "
              "— put long text in the body")
    return None


def text(check: Checker, raw: object, line: int, name: str) -> str | None:
    return _scalar(check, raw, line, name, "text")


def texts(check: Checker, raw: object, line: int, name: str) -> tuple[str, ...] | None:
    if isinstance(raw, str):
        return (raw.strip(),)
    if not isinstance(raw, list):
        check.add(line, name, f"expected a list of texts, found {_describe(raw)}")
        return None
    result = []
    for index, item in enumerate(raw):
        value = text(check, item, _item_line(raw, index, line), f"{name}[{index + 1}]")
        if value:
            result.append(value)
    return tuple(result)


def number(check: Checker, raw: object, line: int, name: str, *, minimum: float | None = None) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        hint = ""
        if isinstance(raw, str) and re.search(r"\d", raw):
            hint = " — write the number alone (e.g. 50, not '50亿元'); the unit is implied by the field"
        check.add(line, name, f"expected a number, found {_describe(raw)}{hint}")
        return None
    if isinstance(raw, float) and (math.isnan(raw) or math.isinf(raw)):
        check.add(line, name, "expected a finite number")
        return None
    if minimum is not None and raw < minimum:
        check.add(line, name, f"{raw} is below {minimum:g}; write a number of at least {minimum:g}")
        return None
    return raw


def amount(check: Checker, raw: object, line: int, name: str) -> float | None:
    """An amount of money: a number, never negative."""
    value = number(check, raw, line, name)
    if value is not None and value < 0:
        check.add(line, name, f"{value} is negative; write the amount the source gives (0 or more), "
                  "or leave the field out when it is unknown")
        return None
    return value


def flag(check: Checker, raw: object, line: int, name: str) -> bool | None:
    if not isinstance(raw, bool):
        check.add(line, name, f"expected true or false, found {_describe(raw)}")
        return None
    return raw


def date(check: Checker, raw: object, line: int, name: str) -> str | None:
    value = _scalar(check, raw, line, name, "a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if value is None:
        return None
    if not DATE_RE.match(value) or not _real_day(value):
        check.add(line, name, f"'{value}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. '2023-10')")
        return None
    return value


def _real_day(value: str) -> bool:
    if len(value) != 10:
        return True
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def year_or_date(check: Checker, raw: object, line: int, name: str) -> str | None:
    return date(check, raw, line, name)


def slug(check: Checker, raw: object, line: int, name: str) -> str | None:
    value = _scalar(check, raw, line, name, "a slug (a file name without extension)")
    if value is None:
        return None
    reason = slug_problem(value)
    if reason:
        check.add(line, name, reason.replace("rename the file to", "write"))
        return None
    return value


def slugs(check: Checker, raw: object, line: int, name: str) -> tuple[str, ...] | None:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        check.add(line, name, f"expected a list of slugs, found {_describe(raw)}")
        return None
    found = [slug(check, item, _item_line(raw, i, line), f"{name}[{i + 1}]") for i, item in enumerate(raw)]
    return tuple(s for s in found if s)


def url(check: Checker, raw: object, line: int, name: str) -> str | None:
    value = _scalar(check, raw, line, name, "a web address")
    if value is None:
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        check.add(line, name, f"'{value}' is not a web address; write it in full, starting with https:// or http://")
        return None
    return value


def choice(options: dict[str, tuple[str, str]]) -> Callable:
    def read(check: Checker, raw: object, line: int, name: str) -> str | None:
        value = _scalar(check, raw, line, name, "one of " + ", ".join(options))
        if value is None:
            return None
        if value not in options:
            check.add(line, name, one_of(value, options))
            return None
        return value
    return read


status = choice(STATUSES)
basis = choice(BASES)


# --- structured readers ---------------------------------------------------------------------------

REF_SPECS = {
    "source": Spec(slug), "url": Spec(url), "quote": Spec(text, required=True),
    "page": Spec(text), "date": Spec(date), "note": Spec(text), "note_en": Spec(text),
}


def _mapping(check: Checker, raw: object, line: int, name: str) -> LineDict | None:
    if not isinstance(raw, LineDict):
        check.add(line, name, f"expected fields (name: value lines, indented), found {_describe(raw)}")
        return None
    return raw


def _ref_from(check: Checker, data: LineDict, values: dict, name: str) -> SourceRef | None:
    has_source, has_url = "source" in data, "url" in data
    if has_source == has_url:
        what = "both" if has_source else "neither"
        check.add(data.line, name, f"give exactly one of 'source' (a sources/ slug) or 'url'; found {what}")
        return None
    if "quote" not in values or ("source" not in values and "url" not in values):
        return None
    return SourceRef(quote=values["quote"], source=values.get("source"), url=values.get("url"),
                     page=values.get("page"), date=values.get("date"), note=values.get("note"),
                     note_en=values.get("note_en"))


def ref(check: Checker, raw: object, line: int, name: str) -> SourceRef | None:
    data = _mapping(check, raw, line, name)
    if data is None:
        return None
    values = read_fields(check, data, REF_SPECS, name + ".")
    return _ref_from(check, data, values, name)


def _list_of(item_reader: Callable) -> Callable:
    def read(check: Checker, raw: object, line: int, name: str) -> tuple | None:
        if not isinstance(raw, list):
            check.add(line, name, f"expected a list ('- ' items), found {_describe(raw)}")
            return None
        items = [item_reader(check, item, _item_line(raw, i, line), f"{name}[{i + 1}]")
                 for i, item in enumerate(raw)]
        return tuple(item for item in items if item is not None)
    return read


refs = _list_of(ref)

FACT_SPECS = {"text": Spec(text, required=True), "text_en": Spec(text), **REF_SPECS}


def fact(check: Checker, raw: object, line: int, name: str) -> Fact | None:
    data = _mapping(check, raw, line, name)
    if data is None:
        return None
    values = read_fields(check, data, FACT_SPECS, name + ".")
    source_ref = _ref_from(check, data, values, name)
    if source_ref is None or "text" not in values:
        return None
    return Fact(text=values["text"], text_en=values.get("text_en"), ref=source_ref)


facts = _list_of(fact)


def figure_value(check: Checker, raw: object, line: int, name: str) -> float | str | None:
    if isinstance(raw, bool) or isinstance(raw, (dict, list)):
        check.add(line, name, f"expected a number (or a bound such as '>400'), found {_describe(raw)}")
        return None
    return raw if isinstance(raw, (int, float)) else _not_too_long(check, str(raw).strip(), line, name)


COMPARE_SPECS = {
    "measure": Spec(choice(COMPARE_MEASURES), required=True), "scope": Spec(choice(COMPARE_SCOPES)),
    "status": Spec(_list_of(status)), "over_yi": Spec(amount), "listed_in": Spec(date), "note": Spec(text),
    "note_en": Spec(text),
}
COMPARE_ONLY_WITH = {"scope": ("projects", "investment"), "status": ("projects", "investment"),
                     "over_yi": ("projects", "investment"), "listed_in": ("parks",)}


def comparison(check: Checker, raw: object, line: int, name: str) -> Comparison | None:
    """A figure's ``compare``: which atlas subset the figures page sets beside it."""
    data = _mapping(check, raw, line, name)
    if data is None:
        return None
    values = read_fields(check, data, COMPARE_SPECS, name + ".")
    measure = values.get("measure")
    if measure is None:
        return None
    misplaced = [key for key, measures in COMPARE_ONLY_WITH.items()
                 if key in values and measure not in measures and not (key == "scope" and values[key] == "city")]
    for key in misplaced:
        allowed = " or ".join(COMPARE_ONLY_WITH[key])
        check.add(data.line_of(key), f"{name}.{key}",
                  f"'{key}' applies only to measure {allowed}, not '{measure}'; remove it or change 'measure'")
    return None if misplaced else Comparison(**values)


FIGURE_SPECS = {
    "id": Spec(slug), "label": Spec(text, required=True), "label_en": Spec(text),
    "value": Spec(figure_value, required=True), "unit": Spec(text), "unit_en": Spec(text),
    "period": Spec(text), "period_en": Spec(text), "reported_by": Spec(text), "reported_by_en": Spec(text),
    "note": Spec(text), "note_en": Spec(text), "compare": Spec(comparison), **REF_SPECS,
}


def figure(check: Checker, raw: object, line: int, name: str) -> Figure | None:
    data = _mapping(check, raw, line, name)
    if data is None:
        return None
    values = read_fields(check, data, FIGURE_SPECS, name + ".")
    source_ref = _ref_from(check, data, values, name)
    if source_ref is None or "label" not in values or "value" not in values:
        return None
    # 'note' is the figure's own remark (also kept on its reference, where the sources page shows it)
    own = {k: v for k, v in values.items() if k not in REF_SPECS or k in ("note", "note_en")}
    return Figure(ref=source_ref, **own)


figures = _list_of(figure)

MILESTONE_SPECS = {
    "date": Spec(date, required=True), "status": Spec(status), "note": Spec(text, required=True),
    "note_en": Spec(text), "expected": Spec(flag), **{k: v for k, v in REF_SPECS.items() if k != "date"},
}


def milestone(check: Checker, raw: object, line: int, name: str) -> Milestone | None:
    data = _mapping(check, raw, line, name)
    if data is None:
        return None
    values = read_fields(check, data, MILESTONE_SPECS, name + ".")
    source_ref = _ref_from(check, data, values, name)
    if source_ref is None or "date" not in values or "note" not in values:
        return None
    return Milestone(date=values["date"], note=values["note"], ref=source_ref, status=values.get("status"),
                     note_en=values.get("note_en"), expected=values.get("expected", False))


milestones = _list_of(milestone)

LOCATION_SPECS = {
    "precision": Spec(choice(PRECISIONS), required=True), "district": Spec(text),
    "lat": Spec(number), "lon": Spec(number), "radius_m": Spec(lambda c, r, li, n: number(c, r, li, n, minimum=1)),
    "note": Spec(text), "outside_qingdao": Spec(flag),
    **{k: Spec(v.reader) for k, v in REF_SPECS.items()},
}


def location(check: Checker, raw: object, line: int, name: str, districts: Iterable[str] = ()) -> Location | None:
    data = _mapping(check, raw, line, name)
    if data is None:
        return None
    before = len(check.problems)
    values = read_fields(check, data, LOCATION_SPECS, name + ".")
    precision = values.get("precision")
    lat, lon = values.get("lat"), values.get("lon")
    if precision in ("site", "area"):
        for axis in ("lat", "lon"):
            if axis not in data:
                check.add(data.line, f"{name}.{axis}", f"'{axis}' is required for precision '{precision}'")
    elif precision in ("district", "city"):
        for axis in ("lat", "lon"):
            if axis in data:
                check.add(data.line_of(axis), f"{name}.{axis}",
                          f"leave out '{axis}' for precision '{precision}': the point is computed from the "
                          f"district outline (use precision 'site' or 'area' for a known point)")
        lat = lon = None
    if precision == "district" and not districts:
        check.add(data.line_of("precision"), f"{name}.precision", "precision 'district' needs the district "
                  "outlines in geo/qingdao-districts.wgs84.geojson inside the content folder; add them")
    elif precision == "district" and "district" not in data:
        check.add(data.line, f"{name}.district", "required for precision 'district': one of "
                  + ", ".join(districts))
    if "district" in values and districts and values["district"] not in districts:
        check.add(data.line_of("district"), f"{name}.district", one_of(values["district"], districts)
                  + "; describe smaller places (zones, streets) in 'note'")
    if "radius_m" in values and precision != "area":
        check.add(data.line_of("radius_m"), f"{name}.radius_m", "radius_m applies only to precision 'area'")
    if lat is not None and lon is not None:
        _check_coordinates(check, data, name, lat, lon, values.get("outside_qingdao", False))
    source_ref = None
    if "source" in data or "url" in data or "quote" in data:
        source_ref = _ref_from(check, data, values, name)
    if len(check.problems) > before:
        return None
    return Location(precision=precision, lat=lat, lon=lon, district=values.get("district"),
                    radius_m=values.get("radius_m"), note=values.get("note"), note_en=values.get("note_en"),
                    ref=source_ref,
                    outside_qingdao=values.get("outside_qingdao", False))


def _check_coordinates(check: Checker, data: LineDict, name: str, lat: float, lon: float, outside: bool) -> None:
    if QINGDAO_LAT[0] <= lon <= QINGDAO_LAT[1] and QINGDAO_LON[0] <= lat <= QINGDAO_LON[1]:
        check.add(data.line_of("lat"), f"{name}.lat",
                  f"lat {lat}, lon {lon} look swapped: Qingdao is near lat 36, lon 120 — exchange the two values")
        return
    if not -90 <= lat <= 90:
        hint = "; latitude and longitude may be swapped" if -90 <= lon <= 90 and -180 <= lat <= 180 else ""
        check.add(data.line_of("lat"), f"{name}.lat", f"latitude {lat} is out of range (-90 to 90){hint}; "
                  "write WGS-84 decimal degrees (Qingdao is near lat 36)")
        return
    if not -180 <= lon <= 180:
        check.add(data.line_of("lon"), f"{name}.lon", f"longitude {lon} is out of range (-180 to 180); "
                  "write WGS-84 decimal degrees (Qingdao is near lon 120)")
        return
    in_lat = QINGDAO_LAT[0] <= lat <= QINGDAO_LAT[1]
    in_lon = QINGDAO_LON[0] <= lon <= QINGDAO_LON[1]
    if in_lat and in_lon or outside:
        return
    check.add(data.line_of("lat"), f"{name}.lat",
              f"({lat}, {lon}) is outside Qingdao ({QINGDAO_LAT[0]}–{QINGDAO_LAT[1]} N, "
              f"{QINGDAO_LON[0]}–{QINGDAO_LON[1]} E); check the numbers (WGS-84 decimal degrees), "
              "or add 'outside_qingdao: true' if the place really is elsewhere")


def _item_line(raw: list, index: int, default: int) -> int:
    if isinstance(raw, LineList) and index < len(raw.item_lines):
        item = raw[index]
        return getattr(item, "line", raw.item_lines[index])
    return default


def _describe(raw: object) -> str:
    if isinstance(raw, bool):
        return f"'{str(raw).lower()}' (true/false)"
    if isinstance(raw, dict):
        return "a group of fields"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, bytes):
        return "binary data"
    if isinstance(raw, str):
        return f"the text '{raw[:40]}'"
    return f"'{raw}'"
