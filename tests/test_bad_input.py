"""The bad-input corpus: each broken file gives its exact `PATH:LINE: FIELD: message`, exit 1, and no output.

Every case runs the real command line in a subprocess, as an editor would.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]  # where build.py is

PROJECT_FIELDS = ("name, name_en, chain, chain_basis, park, park_basis, status, status_note, status_note_en, "
                  "investment_yi, investment_min_yi, investment_note, investment_note_en, companies, companies_en, "
                  "capacity, capacity_en, location, milestones, summary, summary_en, tags, tags_en, facts, sources, "
                  "draft")
STATUSES = ("planning, signed, landed, permitted, started, under_construction, structure_complete, completed, "
            "in_operation, unspecified")

# A valid project; each case breaks one thing in it. Line numbers in the comments are those of the .md file.
FRONT = """\
---
name: 测试项目
status: signed
sources:
  - source: test-daily
    quote: 测试项目签约
"""  # lines 1-6; the closing '---' goes on line 7 unless a case adds fields first
VALID_MD = FRONT + "---\n正文。\n"
VALID_YAML = FRONT.removeprefix("---\n")


def md(extra: str = "", front: str = FRONT) -> str:
    """A Markdown project: ``front`` (lines 1-6), then ``extra`` fields from line 7, then the closing '---'."""
    return front + extra + "---\n正文。\n"


def site_location(lat: object, lon: object, extra: str = "") -> str:
    """Location fields from line 7: location (7), precision (8), lat (9), lon (10)."""
    return md(f"location:\n  precision: site\n  lat: {lat}\n  lon: {lon}\n{extra}")


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes]
    expected: tuple[str, ...]


X = "content/projects/x.md"

CASES = [
    # --- YAML and front matter -------------------------------------------------------------------
    Case("malformed-yaml", {"projects/x.md": md("status_note: 计划: 2024年投产\n")}, (
        f"{X}:7: yaml: mapping values are not allowed in this context; put the value in quotes when it contains "
        "': ' (e.g. note: \"A: B\"), or fix this line's indentation",)),
    Case("malformed-yaml-unclosed-bracket", {"projects/x.md": md("companies: [甲公司, 乙公司\ntags: [a]\n")}, (
        f"{X}:7: yaml: while parsing a flow sequence, did not find expected ',' or ']' (noticed on line 8); "
        "close the bracket or quote opened on this line",)),
    Case("malformed-yaml-tab", {"projects/x.md": md("location:\n\tprecision: city\n")}, (
        f"{X}:8: yaml: while scanning for the next token, found character that cannot start any token; "
        "indent with spaces, not tabs",)),
    Case("unclosed-front-matter", {"projects/x.md": FRONT + "正文没有结束线。\n"}, (
        f"{X}:1: front matter: front matter opened with '---' on line 1 is never closed; "
        "add a '---' line after the last field",)),
    Case("no-front-matter", {"projects/x.md": "name: 测试项目\n"}, (
        f"{X}:1: front matter: a Markdown entry must start with a '---' line, then YAML fields, "
        "then a closing '---' line",)),
    Case("empty-file", {"projects/x.md": ""}, (
        f"{X}:1: file: file is empty; fill it in (see `python build.py new`) or delete it",)),
    Case("blank-yaml-file", {"projects/x.yaml": "\n   \n"}, (
        "content/projects/x.yaml:1: file: file is empty; fill it in (see `python build.py new`) or delete it",)),
    Case("not-utf8", {"projects/x.md": b"---\nname: x\nstatus_note: " + "计划投产".encode("gbk") + b"\n---\n"}, (
        f"{X}:3: encoding: file is not UTF-8 (it looks like GBK/GB18030, a common Chinese Windows encoding); "
        "save it as UTF-8 (in Notepad: Save As \u2192 Encoding: UTF-8)",)),
    Case("top-level-list", {"projects/x.yaml": "- name: 测试项目\n- status: signed\n"}, (
        "content/projects/x.yaml:1: yaml: expected 'field: value' lines (e.g. 'name: …'), "
        "found a list ('- ' items)",)),
    Case("top-level-scalar", {"projects/x.md": "---\n测试项目\n---\n"}, (
        f"{X}:2: yaml: expected 'field: value' lines (e.g. 'name: …'), found the single value '测试项目'",)),
    Case("two-documents", {"projects/x.yaml": VALID_YAML + "---\nname_en: Test\n"}, (
        "content/projects/x.yaml:6: yaml: expected a single document in the stream, but found another document; "
        "an entry is one YAML document: remove the extra '---' line (a Markdown entry needs the .md extension)",)),
    Case("field-written-twice", {"projects/x.md": md("status: landed\n")}, (
        f"{X}:7: status: 'status' is written twice (first on line 3); keep one of the two",)),
    # --- fields ---------------------------------------------------------------------------------
    Case("missing-required", {"projects/x.md": "---\nname: 测试项目\nsources:\n  - source: test-daily\n"
                                               "    quote: 测试\n---\n"}, (
        f"{X}:2: status: required field 'status' is missing; add a 'status:' line",)),
    Case("empty-required", {"projects/x.md": md(front=FRONT.replace("name: 测试项目", "name:"))}, (
        f"{X}:2: name: required field 'name' is empty; fill it in",)),
    Case("unknown-field", {"projects/x.md": md("investmnet_yi: 50\n")}, (
        f"{X}:7: investmnet_yi: unknown field (did you mean 'investment_yi'?); allowed here: {PROJECT_FIELDS}",)),
    Case("misspelt-status", {"projects/x.md": md(front=FRONT.replace("signed", "under_constrution"))}, (
        f"{X}:3: status: 'under_constrution' is not one of {STATUSES} (did you mean 'under_construction'?)",)),
    Case("investment-negative", {"projects/x.md": md("investment_yi: -5\n")}, (
        f"{X}:7: investment_yi: -5 is negative; write the amount the source gives (0 or more), "
        "or leave the field out when it is unknown",)),
    Case("investment-not-a-number", {"projects/x.md": md("investment_yi: 50亿元\n")}, (
        f"{X}:7: investment_yi: expected a number, found the text '50亿元' — write the number alone "
        "(e.g. 50, not '50亿元'); the unit is implied by the field",)),
    Case("name-is-a-list", {"projects/x.md": md(front=FRONT.replace("name: 测试项目", "name: [1, 2]"))}, (
        f"{X}:2: name: expected text, found a list",)),
    Case("sources-is-text", {"projects/x.md": "---\nname: 测试项目\nstatus: signed\nsources: \"测试日报\"\n---\n"}, (
        f"{X}:4: sources: expected a list ('- ' items), found the text '测试日报'",)),
    Case("location-is-a-number", {"projects/x.md": md("location: 5\n")}, (
        f"{X}:7: location: expected fields (name: value lines, indented), found '5'",)),
    Case("nested-lists", {"projects/x.md": "---\nname: 测试项目\nstatus: signed\ncompanies: [[甲公司]]\nsources:\n"
                                          "  - - source: test-daily\n      quote: 测试\n---\n"}, (
        f"{X}:4: companies[1]: expected text, found a list",
        f"{X}:6: sources[1]: expected fields (name: value lines, indented), found a list",)),
    Case("status-is-a-list", {"projects/x.md": md(front=FRONT.replace("signed", "[signed]"))}, (
        f"{X}:3: status: expected one of {STATUSES}, found a list",)),
    # --- locations ------------------------------------------------------------------------------
    Case("latitude-out-of-range", {"projects/x.md": site_location(95, 120.3)}, (
        f"{X}:9: location.lat: latitude 95 is out of range (-90 to 90); "
        "write WGS-84 decimal degrees (Qingdao is near lat 36)",)),
    Case("longitude-out-of-range", {"projects/x.md": site_location(36.1, 190)}, (
        f"{X}:10: location.lon: longitude 190 is out of range (-180 to 180); "
        "write WGS-84 decimal degrees (Qingdao is near lon 120)",)),
    Case("lat-lon-swapped", {"projects/x.md": site_location(120.38, 36.07)}, (
        f"{X}:9: location.lat: lat 120.38, lon 36.07 look swapped: Qingdao is near lat 36, lon 120 "
        "— exchange the two values",)),
    Case("outside-qingdao", {"projects/x.md": site_location(39.9, 116.4)}, (
        f"{X}:9: location.lat: (39.9, 116.4) is outside Qingdao (35.5–37.2 N, 119.5–121.0 E); check the numbers "
        "(WGS-84 decimal degrees), or add 'outside_qingdao: true' if the place really is elsewhere",)),
    Case("district-precision-with-point", {"projects/x.md": md(
        "location:\n  precision: district\n  district: 崂山区\n  lat: 36.1\n")}, (
        f"{X}:10: location.lat: leave out 'lat' for precision 'district': the point is computed from the "
        "district outline (use precision 'site' or 'area' for a known point)",)),
    Case("unknown-district", {"projects/x.md": md("location:\n  precision: district\n  district: 崂山\n")}, (
        f"{X}:9: location.district: '崂山' is not one of 市南区, 市北区, 黄岛区, 崂山区, 李沧区, 城阳区, 即墨区, "
        "胶州市, 平度市, 莱西市 (did you mean '崂山区'?); describe smaller places (zones, streets) in 'note'",)),
    # --- slugs ----------------------------------------------------------------------------------
    Case("unknown-chain", {"projects/x.md": md("chain: dispaly\n")}, (
        f"{X}:7: chain: no chain 'dispaly' in content/chains/ (did you mean 'display'?); check the spelling "
        "or add content/chains/dispaly.md",)),
    Case("unknown-park", {"projects/x.md": md("park: display-prak\n")}, (
        f"{X}:7: park: no park 'display-prak' in content/parks/ (did you mean 'display-park'?); check the "
        "spelling or add content/parks/display-prak.md",)),
    Case("unknown-source", {"projects/x.md": md(front=FRONT.replace("source: test-daily", "source: test-dialy"))}, (
        f"{X}:5: sources[1].source: no source 'test-dialy' in content/sources/ (did you mean 'test-daily'?); "
        "check the spelling or add content/sources/test-dialy.yaml",)),
    Case("unknown-park-chain", {"parks/y.yaml": "name: 园区\nchains: [display, finanse]\nsources:\n"
                                                "  - url: https://example.org/y\n    quote: 园区\n"}, (
        "content/parks/y.yaml:2: chains[2]: no chain 'finanse' in content/chains/ (did you mean 'finance'?); "
        "check the spelling or add content/chains/finanse.md",)),
    Case("same-slug-twice", {"projects/x.md": VALID_MD, "projects/x.yaml": VALID_YAML}, (
        "content/projects/x.yaml:1: slug: 'x' is defined twice: here and in x.md; keep one file per slug",)),
    Case("slug-with-capitals", {"projects/New-Plant.md": VALID_MD}, (
        "content/projects/New-Plant.md:1: slug: 'New-Plant' is not a valid slug (it has capitals): use lowercase "
        "letters, digits and hyphens, e.g. rename the file to 'new-plant'",)),
    Case("slug-with-spaces", {"projects/new plant.md": VALID_MD}, (
        "content/projects/new plant.md:1: slug: 'new plant' is not a valid slug (it has spaces): use lowercase "
        "letters, digits and hyphens, e.g. rename the file to 'new-plant'",)),
    Case("slug-with-dots", {"projects/new.plant.md": VALID_MD}, (
        "content/projects/new.plant.md:1: slug: 'new.plant' is not a valid slug (it has dots): use lowercase "
        "letters, digits and hyphens, e.g. rename the file to 'new-plant'",)),
    Case("slug-with-dot-dot", {"projects/new..plant.md": VALID_MD}, (
        "content/projects/new..plant.md:1: slug: 'new..plant' is not a valid slug (it has '..'): use lowercase "
        "letters, digits and hyphens, e.g. rename the file to 'new-plant'",)),
    Case("reference-with-dot-dot", {"projects/x.md": md("park: ../parks/display-park.md\n")}, (
        f"{X}:7: park: '../parks/display-park.md' is not a valid slug (it has '..', slashes): use lowercase "
        "letters, digits and hyphens, e.g. write 'display-park'",)),
    Case("orphan-translation", {"projects/x.en.md": "English body.\n"}, (
        "content/projects/x.en.md:1: slug: English body for 'x', but there is no projects/x.md or .yaml to "
        "translate; rename or delete this file",)),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def build(content: Path, out: Path) -> subprocess.CompletedProcess:
    return run("build", "--content", str(content), "--out", str(out))


def count_line(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''} found; nothing was written."


def assert_problems(result: subprocess.CompletedProcess, expected: tuple[str, ...] | list[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [*expected, count_line(len(expected))]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_reported_exactly(case: Case, write_entry, mini_content: Path, tmp_path: Path):
    for relative, data in case.files.items():
        write_entry(relative, data)
    out = tmp_path / "out"
    result = build(mini_content, out)
    assert_problems(result, case.expected)
    assert not out.exists()


def test_outside_qingdao_accepted_when_declared(write_entry, mini_content: Path, tmp_path: Path):
    write_entry("projects/x.md", site_location(39.9, 116.4, "  outside_qingdao: true\n"))
    result = build(mini_content, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "projects" / "x" / "index.html").is_file()


def test_the_cases_above_are_valid_when_unbroken(write_entry, mini_content: Path, tmp_path: Path):
    """The corpus's base entries are themselves valid, so each case fails only for its own fault."""
    write_entry("projects/x.md", VALID_MD)
    write_entry("projects/y.yaml", VALID_YAML)
    write_entry("projects/x.en.md", "English body.\n")
    result = run("check", "--content", str(mini_content))
    assert result.returncode == 0, result.stderr
    # no problem; only the English edition's missing translations (warnings, see tests/test_i18n.py)
    assert [line for line in result.stderr.splitlines() if "_en: warning: " not in line
            and not line.endswith(" warnings: missing English translations.")] == []
    assert ": name_en: warning: " in result.stderr


MANY_PROBLEMS = {
    "projects/x.md": md("investmnet_yi: 50\n"),
    "parks/broken-park.yaml": "name: 坏园区\nlocation:\n  precision: site\n  lat: 36.1\n  lon: 190\nsources:\n"
                              "  - url: https://example.org/p\n    quote: 坏园区\n",
    "chains/broken-chain.md": "---\nname: 坏链\nsources:\n  - source: test-daily\n    quote: 坏链\n---\n",
    "sources/broken-source.yaml": "publisher: 某报\ndate: 2023-13\n",
}
MANY_EXPECTED = [
    "content/chains/broken-chain.md:2: group: required field 'group' is missing; add a 'group:' line",
    "content/parks/broken-park.yaml:5: location.lon: longitude 190 is out of range (-180 to 180); "
    "write WGS-84 decimal degrees (Qingdao is near lon 120)",
    f"{X}:7: investmnet_yi: unknown field (did you mean 'investment_yi'?); allowed here: {PROJECT_FIELDS}",
    "content/sources/broken-source.yaml:1: title: required field 'title' is missing; add a 'title:' line",
    "content/sources/broken-source.yaml:2: date: '2023-13' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD "
    "(e.g. '2023-10')",
]


def test_all_problems_of_a_run_are_reported_together(write_entry, mini_content: Path, tmp_path: Path):
    for relative, data in MANY_PROBLEMS.items():
        write_entry(relative, data)
    out = tmp_path / "out"
    assert_problems(build(mini_content, out), MANY_EXPECTED)
    assert not out.exists()


def test_check_reports_the_same_and_writes_nothing(write_entry, mini_content: Path, tmp_path: Path):
    for relative, data in MANY_PROBLEMS.items():
        write_entry(relative, data)
    before = snapshot(tmp_path)
    result = run("check", "--content", str(mini_content))
    assert_problems(result, MANY_EXPECTED)
    assert result.stdout == ""
    assert snapshot(tmp_path) == before


def test_failed_build_leaves_previous_output_untouched(write_entry, mini_content: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = build(mini_content, out)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    assert "index.html" in before
    write_entry("projects/x.md", md("investment_yi: -5\n"))
    assert_problems(build(mini_content, out), [
        f"{X}:7: investment_yi: -5 is negative; write the amount the source gives (0 or more), "
        "or leave the field out when it is unknown"])
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "out"]


def test_check_passes_on_valid_content(mini_content: Path, tmp_path: Path):
    before = snapshot(tmp_path)
    result = run("check", "--content", str(mini_content))
    assert result.returncode == 0, result.stderr
    # the mini atlas leaves a few notes without English on purpose (tests/test_i18n.py): warnings, nothing else
    assert [line for line in result.stderr.splitlines() if "_en: warning: " not in line
            and not line.endswith(" warnings: missing English translations.")] == []
    assert result.stdout.startswith("OK: 2 chains, 2 parks, 5 projects")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args", [("frobnicate",), ("build", "--no-such-option"), ()],
                         ids=["unknown-command", "unknown-option", "no-command"])
def test_usage_errors_exit_2(args: tuple[str, ...]):
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python build.py")
    assert "Traceback" not in result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, keyed by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
