"""Unit tests of reading entry files (atlas.content.load) and of the typed field readers (atlas.content.fields)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.content import fields as f
from atlas.content.entries import SPECS, build_entry
from atlas.content.fields import Checker, Spec
from atlas.content.load import (
    LineDict,
    LineList,
    RawEntry,
    load_content,
    load_file,
    parse_yaml,
    read_text,
    slug_problem,
)
from atlas.model import Location, SourceRef

NESTED = """\
name: 面板工厂
location:
  precision: site
  lat: 36.07
  lon: 120.38
sources:
  - source: test-daily
    quote: 面板工厂投产
  - url: https://example.org/a
    quote: 另一来源
tags: [显示, 面板]
"""

FRONT_MATTER = "---\n" + NESTED + "---\n正文第一行。\n\n正文第三行。\n"


def lines_of(data: LineDict) -> dict:
    """The lines worth checking in NESTED, wherever it was loaded from."""
    location, sources = data["location"], data["sources"]
    return {
        "name": data.line_of("name"), "location": data.line_of("location"), "lat": location.line_of("lat"),
        "lon": location.line_of("lon"), "location block": location.line, "sources": data.line_of("sources"),
        "source items": sources.item_lines, "second quote": sources[1].line_of("quote"),
        "second item": sources[1].line, "tags": data["tags"].line,
    }


YAML_LINES = {"name": 1, "location": 2, "lat": 4, "lon": 5, "location block": 3, "sources": 6,
              "source items": [7, 9], "second quote": 10, "second item": 9, "tags": 11}


def one_more(lines: dict) -> dict:
    return {k: [x + 1 for x in v] if isinstance(v, list) else v + 1 for k, v in lines.items()}


# --- reading files ----------------------------------------------------------------------------------

def test_yaml_lines_of_nested_fields_and_list_items():
    data, problems = parse_yaml(NESTED, Path("x.yaml"))
    assert problems == []
    assert isinstance(data["sources"], LineList)
    assert lines_of(data) == YAML_LINES


def test_front_matter_lines_count_from_the_top_of_the_file(tmp_path: Path):
    path = tmp_path / "x.md"
    path.write_text(FRONT_MATTER, encoding="utf-8")
    entry, problems = load_file(path, "projects")
    assert problems == []
    assert lines_of(entry.data) == one_more(YAML_LINES)
    assert entry.body == "正文第一行。\n\n正文第三行。"
    assert entry.body_line == 14


def test_crlf_and_bom_files_keep_their_lines(tmp_path: Path):
    path = tmp_path / "x.md"
    path.write_bytes(b"\xef\xbb\xbf" + FRONT_MATTER.replace("\n", "\r\n").encode("utf-8"))
    entry, problems = load_file(path, "projects")
    assert problems == []
    assert entry.data["name"] == "面板工厂"
    assert lines_of(entry.data) == one_more(YAML_LINES)
    assert "\r" not in entry.body


def test_old_mac_line_endings_are_read_as_lines(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(NESTED.replace("\n", "\r").encode("utf-8"))
    text, problems = read_text(path)
    assert problems == [] and text == NESTED


def test_aliased_block_in_front_matter_is_shifted_once(tmp_path: Path):
    path = tmp_path / "x.md"
    path.write_text("---\nname: x\nsources:\n  - &ref\n    source: a\n    quote: q\n  - *ref\n---\n", encoding="utf-8")
    entry, problems = load_file(path, "projects")
    assert problems == []
    assert entry.data["sources"][0].line_of("quote") == 6
    assert entry.data["sources"][1] is entry.data["sources"][0]


def test_keys_written_twice_are_recorded_but_merged_keys_are_not():
    data, problems = parse_yaml("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  a: 3\nname: p\nname: q\n", Path("x.yaml"))
    assert problems == []
    assert data["x"] == {"a": 3, "b": 2}
    assert data["x"].duplicates == []
    assert data.duplicates == [("name", 5, 6)]
    check = Checker(Path("x.yaml"))
    f.read_fields(check, data, {"base": Spec(lambda *a: 1), "x": Spec(lambda *a: 1), "name": Spec(f.text)})
    assert [(p.line, p.field, p.message) for p in check.problems] == [
        (6, "name", "'name' is written twice (first on line 5); keep one of the two")]


@pytest.mark.parametrize("text, line, start", [
    ("a: 1\nb: [1, 2\nc: 3\n", 2, "while parsing a flow sequence"),
    ("a: 1\nb: c: d\n", 2, "mapping values are not allowed"),
    ("a: 1\nb: *nothing\n", 2, "found undefined alias"),
    ("a: 1\nb: !!python/object:os.system x\n", 2, "could not determine a constructor"),
    ("a: 1\nb: \"open\n", 2, "while scanning a quoted scalar"),
])
def test_malformed_yaml_points_at_its_line(text: str, line: int, start: str):
    data, problems = parse_yaml(text, Path("x.yaml"), first_line=5)
    assert data is None
    [problem] = problems
    assert (problem.line, problem.field) == (line + 4, "yaml")
    assert problem.message.startswith(start)
    assert "\n" not in problem.message


def test_control_character_is_reported_on_its_line():
    _, [problem] = parse_yaml("a: 1\nb: 2\nc: x\x00y\n", Path("x.yaml"))
    assert problem.line == 3
    assert problem.message.startswith("the file contains the control character #x0000")


def test_recursive_alias_is_a_problem_not_a_crash():
    _, [problem] = parse_yaml("a: &x [*x]\n", Path("x.yaml"))
    assert problem.field == "yaml" and "recursive" in problem.message


def test_non_utf8_reports_the_line_of_the_first_bad_byte(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"name: x\nstatus: signed\nnote: " + "在建".encode("gbk") + b"\n")
    text, [problem] = read_text(path)
    assert text is None
    assert (problem.line, problem.field) == (3, "encoding")
    assert "GBK" in problem.message


@pytest.mark.parametrize("text, line, message", [
    ("- a\n- b\n", 1, "expected 'field: value' lines (e.g. 'name: …'), found a list ('- ' items)"),
    ("42\n", 1, "expected 'field: value' lines (e.g. 'name: …'), found the single value '42'"),
    ("# only a comment\n", 1, "no fields found; an entry needs at least its required fields"),
])
def test_a_file_that_is_not_fields(tmp_path: Path, text: str, line: int, message: str):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    entry, [problem] = load_file(path, "projects")
    assert entry is None
    assert (problem.line, problem.message) == (line, message)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_english_body_is_attached_as_body_en(tmp_path: Path):
    write(tmp_path, "projects/plant.md", "---\nname: 工厂\n---\n中文正文。\n")
    write(tmp_path, "projects/plant.en.md", "\nEnglish body.\n")
    write(tmp_path, "projects/other.yaml", "name: 其他\n")
    loaded = load_content(tmp_path)
    assert loaded.problems == []
    bodies = {e.slug: (e.body, e.body_en) for e in loaded.entries}
    assert bodies == {"other": ("", ""), "plant": ("中文正文。", "English body.")}
    assert loaded.present == {("projects", "plant"), ("projects", "other")}


def test_orphan_english_body_is_reported(tmp_path: Path):
    write(tmp_path, "projects/plant.md", "---\nname: 工厂\n---\n")
    orphan = write(tmp_path, "projects/plnat.en.md", "English.\n")
    loaded = load_content(tmp_path)
    assert [(p.path, p.line, p.field, p.message) for p in loaded.problems] == [
        (orphan, 1, "slug", "English body for 'plnat', but there is no projects/plnat.md or .yaml to translate; "
                            "rename or delete this file")]


def test_english_body_of_a_broken_entry_is_not_called_an_orphan(tmp_path: Path):
    broken = write(tmp_path, "projects/plant.md", "---\nname: [\n---\n")
    write(tmp_path, "projects/plant.en.md", "English.\n")
    loaded = load_content(tmp_path)
    assert [p.path for p in loaded.problems] == [broken]


def test_files_that_are_not_entries(tmp_path: Path):
    write(tmp_path, "projects/.plant.md.swp", "x")
    write(tmp_path, "projects/plant.md~", "x")
    notes = write(tmp_path, "projects/notes.txt", "x")
    loaded = load_content(tmp_path)
    assert [(p.path, p.field) for p in loaded.problems] == [(notes, "file")]


@pytest.mark.parametrize("slug, problem", [
    ("boe-qingdao-2", None),
    ("Boe", "'Boe' is not a valid slug (it has capitals): use lowercase letters, digits and hyphens, "
            "e.g. rename the file to 'boe'"),
    ("boe plant", "'boe plant' is not a valid slug (it has spaces): use lowercase letters, digits and hyphens, "
                  "e.g. rename the file to 'boe-plant'"),
    ("boe.v2", "'boe.v2' is not a valid slug (it has dots): use lowercase letters, digits and hyphens, "
               "e.g. rename the file to 'boe-v2'"),
    ("..", "'..' is not a valid slug (it has '..'): use lowercase letters, digits and hyphens, "
           "e.g. rename the file to 'my-entry'"),
    ("../parks/boe.md", "'../parks/boe.md' is not a valid slug (it has '..', slashes): use lowercase letters, "
                        "digits and hyphens, e.g. rename the file to 'boe'"),
    ("boe_plant", "'boe_plant' is not a valid slug (it has underscores): use lowercase letters, digits and "
                  "hyphens, e.g. rename the file to 'boe-plant'"),
    ("-boe", "'-boe' is not a valid slug: use lowercase letters, digits and hyphens, e.g. rename the file to 'boe'"),
    ("青岛", "'青岛' is not a valid slug: use lowercase letters, digits and hyphens, "
            "e.g. rename the file to 'my-entry'"),
])
def test_slug_problem(slug: str, problem: str | None):
    assert slug_problem(slug) == problem


# --- field readers --------------------------------------------------------------------------------

def read(reader, yaml_value: str):
    """Run one reader on ``value: <yaml_value>``; returns (value, [(line, field, message)])."""
    data, problems = parse_yaml(f"other: 1\nvalue: {yaml_value}\n", Path("x.yaml"))
    assert problems == []
    check = Checker(Path("x.yaml"))
    value = reader(check, data["value"], data.line_of("value"), "value")
    return value, [(p.line, p.field, p.message) for p in check.problems]


@pytest.mark.parametrize("raw, expected", [("2023", "2023"), ("2023-10", "2023-10"), ("2023-10-05", "2023-10-05"),
                                           ("'2024-02-29'", "2024-02-29")])
def test_date_accepts_year_month_day(raw: str, expected: str):
    assert read(f.date, raw) == (expected, [])


@pytest.mark.parametrize("raw, message", [
    ("2023-13", "'2023-13' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. '2023-10')"),
    ("2023-02-30", "'2023-02-30' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. '2023-10')"),
    ("2023年10月", "'2023年10月' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. '2023-10')"),
    ("[2023]", "expected a date (YYYY, YYYY-MM or YYYY-MM-DD), found a list"),
])
def test_date_rejects(raw: str, message: str):
    assert read(f.date, raw) == (None, [(2, "value", message)])


@pytest.mark.parametrize("raw, expected", [("50", 50), ("3.2", 3.2), ("0", 0)])
def test_amount_accepts_numbers(raw: str, expected: float):
    assert read(f.amount, raw) == (expected, [])


@pytest.mark.parametrize("raw, message", [
    ("-1", "-1 is negative; write the amount the source gives (0 or more), or leave the field out when it is "
           "unknown"),
    ("'50'", "expected a number, found the text '50' — write the number alone (e.g. 50, not '50亿元'); "
             "the unit is implied by the field"),
    ("约五十亿", "expected a number, found the text '约五十亿'"),
    ("true", "expected a number, found 'true' (true/false)"),
    (".nan", "expected a finite number"),
    ("[1, 2]", "expected a number, found a list"),
])
def test_amount_rejects(raw: str, message: str):
    assert read(f.amount, raw) == (None, [(2, "value", message)])


def test_choice_suggests_the_closest_word():
    assert read(f.status, "complted")[1] == [(2, "value", "'complted' is not one of planning, signed, landed, "
                                                 "permitted, started, under_construction, structure_complete, "
                                                 "completed, in_operation, unspecified (did you mean 'completed'?)")]


def test_unknown_field_suggests_and_lists_what_is_allowed():
    data, _ = parse_yaml("titel: x\n", Path("x.yaml"))
    check = Checker(Path("x.yaml"))
    f.read_fields(check, data, {"title": Spec(f.text, required=True), "note": Spec(f.text)})
    assert [(p.line, p.field, p.message) for p in check.problems] == [
        (1, "titel", "unknown field (did you mean 'title'?); allowed here: title, note"),
        (1, "title", "required field 'title' is missing; add a 'title:' line")]


@pytest.mark.parametrize("yaml_value, expected", [
    ("{source: test-daily, quote: 原话}", SourceRef(quote="原话", source="test-daily")),
    ("{url: 'https://example.org/a', quote: 原话, page: 聚焦, date: 2023-11}",
     SourceRef(quote="原话", url="https://example.org/a", page="聚焦", date="2023-11")),
])
def test_ref_accepts_source_or_url(yaml_value: str, expected: SourceRef):
    assert read(f.ref, yaml_value) == (expected, [])


@pytest.mark.parametrize("yaml_value, problems", [
    ("{quote: 原话}", [(2, "value", "give exactly one of 'source' (a sources/ slug) or 'url'; found neither")]),
    ("{source: a, url: 'https://example.org', quote: 原话}",
     [(2, "value", "give exactly one of 'source' (a sources/ slug) or 'url'; found both")]),
    ("{source: a}", [(2, "value.quote", "required field 'quote' is missing; add a 'quote:' line")]),
    ("{url: example.org, quote: q}",
     [(2, "value.url", "'example.org' is not a web address; write it in full, starting with https:// or http://")]),
    ("原话", [(2, "value", "expected fields (name: value lines, indented), found the text '原话'")]),
])
def test_ref_rejects(yaml_value: str, problems: list):
    assert read(f.ref, yaml_value) == (None, problems)


DISTRICTS = ("市南区", "崂山区", "黄岛区")


def read_location(body: str, districts=DISTRICTS):
    """Read ``location:`` written on line 1, its fields from line 2."""
    data, problems = parse_yaml("location:\n" + body, Path("x.yaml"))
    assert problems == []
    check = Checker(Path("x.yaml"))
    value = f.location(check, data["location"], 1, "location", districts)
    return value, [(p.line, p.field, p.message) for p in check.problems]


def test_location_district_precision():
    value, problems = read_location("  precision: district\n  district: 崂山区\n")
    assert problems == []
    assert value == Location(precision="district", district="崂山区", lat=None, lon=None, radius_m=None, note=None,
                             ref=None, outside_qingdao=False)


@pytest.mark.parametrize("body, problems", [
    ("  precision: district\n  district: 崂山区\n  lat: 36.1\n  lon: 120.4\n", [
        (4, "location.lat", "leave out 'lat' for precision 'district': the point is computed from the district "
                            "outline (use precision 'site' or 'area' for a known point)"),
        (5, "location.lon", "leave out 'lon' for precision 'district': the point is computed from the district "
                            "outline (use precision 'site' or 'area' for a known point)")]),
    ("  precision: district\n", [
        (2, "location.district", "required for precision 'district': one of 市南区, 崂山区, 黄岛区")]),
    ("  precision: district\n  district: 黄岛\n", [
        (3, "location.district", "'黄岛' is not one of 市南区, 崂山区, 黄岛区 (did you mean '黄岛区'?); describe "
                                 "smaller places (zones, streets) in 'note'")]),
    ("  precision: district\n  district: [崂山区]\n", [(3, "location.district", "expected text, found a list")]),
    ("  precision: city\n  lat: 36.1\n", [
        (3, "location.lat", "leave out 'lat' for precision 'city': the point is computed from the district "
                            "outline (use precision 'site' or 'area' for a known point)")]),
    ("  precision: site\n  lat: 36.1\n", [(2, "location.lon", "'lon' is required for precision 'site'")]),
    ("  precision: exact\n", [(2, "location.precision", "'exact' is not one of site, area, district, city")]),
    ("  lat: 36.1\n  lon: 120.4\n", [(2, "location.precision",
                                      "required field 'precision' is missing; add a 'precision:' line")]),
])
def test_location_rules(body: str, problems: list):
    assert read_location(body) == (None, problems)


def test_district_precision_needs_the_district_outlines():
    assert read_location("  precision: district\n  district: 崂山区\n", districts=()) == (None, [
        (2, "location.precision", "precision 'district' needs the district outlines in "
                                  "geo/qingdao-districts.wgs84.geojson inside the content folder; add them")])


def test_area_radius():
    value, problems = read_location("  precision: area\n  lat: 36.1\n  lon: 120.4\n  radius_m: 500\n")
    assert problems == [] and value.radius_m == 500
    assert read_location("  precision: site\n  lat: 36.1\n  lon: 120.4\n  radius_m: 500\n") == (None, [
        (5, "location.radius_m", "radius_m applies only to precision 'area'")])
    assert read_location("  precision: area\n  lat: 36.1\n  lon: 120.4\n  radius_m: 0\n") == (None, [
        (5, "location.radius_m", "0 is below 1; write a number of at least 1")])


def test_location_with_its_own_source():
    value, problems = read_location("  precision: site\n  lat: 36.1\n  lon: 120.4\n  source: test-daily\n"
                                    "  quote: 位于测试路\n")
    assert problems == []
    assert value.ref == SourceRef(quote="位于测试路", source="test-daily")
    assert read_location("  precision: city\n  quote: 在青岛\n") == (None, [
        (2, "location", "give exactly one of 'source' (a sources/ slug) or 'url'; found neither")])


def test_outside_qingdao_flag():
    far = "  precision: site\n  lat: 31.23\n  lon: 121.47\n"
    value, problems = read_location(far + "  outside_qingdao: true\n")
    assert problems == [] and value.outside_qingdao is True
    _, [(line, name, message)] = read_location(far)
    assert (line, name) == (3, "location.lat") and "outside Qingdao" in message


# --- odd YAML never crashes a reader ----------------------------------------------------------------

ODD_KEYS = ("source", "url", "quote", "precision", "lat", "lon", "district", "radius_m", "date", "note", "text",
            "label", "value", "status", "id")
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.sampled_from(["", "x", "2023-02", "2023-02-30", "https://example.org", "崂山区", "site",
                                     "district", "area", "test-daily", "a.b", "A B", "../x"]))
odd_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.sampled_from(ODD_KEYS), inner, max_size=4), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(SPECS)), data=st.data())
def test_any_value_in_any_field_is_a_problem_or_a_value(kind: str, data):
    """Whatever YAML an editor writes into known fields, reading gives problems with lines, never an exception."""
    names = data.draw(st.lists(st.sampled_from(sorted(SPECS[kind])), min_size=1, max_size=4, unique=True))
    text = yaml.safe_dump({name: data.draw(odd_values) for name in names}, allow_unicode=True)
    raw_data, problems = parse_yaml(text, Path("x.yaml"))
    assert problems == []
    raw = RawEntry(kind, "x", Path("x.yaml"), raw_data)
    check = Checker(Path("x.yaml"))
    entry = build_entry(raw, check, DISTRICTS)
    assert (entry is None) == bool(check.problems)
    for problem in check.problems:
        assert problem.line >= 1 and problem.message and "\n" not in problem.message
