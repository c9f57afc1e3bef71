"""Property-based tests: whatever an editor's file holds, loading gives a valid entry or clean problems.

"Clean" means: no exception escapes, every problem names the file, a line inside it and a field, and says
what is wrong on one line. Bodies of any text render to HTML with no script and no event handler, and the
value tree handed to later stages stays within the loader's limits, whatever YAML aliases say.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.content.entries import SPECS, build_entry
from atlas.content.fields import Checker
from atlas.content.load import MAX_DEPTH, MAX_VALUES, LineDict, load_file, parse_yaml
from atlas.render.csv_safety import FORMULA_STARTS, neutralise_csv_cell
from atlas.render.text import markdown_to_html
from tests.test_hostile import scan_html

DISTRICTS = ("市南区", "黄岛区", "崂山区")
# Characters that mean something to YAML, Markdown or HTML, and characters that are trouble in files.
SIGNIFICANT = list(":-[]{}&*!|>#'\"%@`\\?,.<>=/;()~_+ \t\n") + ["\x00", "\x1b", "\x7f", "\x85", "\u2028",
                                                                    "\ufeff", "\ufffe", "\U0001f600", "\r"]
hostile_text = st.text(alphabet=st.one_of(st.sampled_from(SIGNIFICANT), st.characters(codec="utf-8")),
                       max_size=200)
FIELD_NAMES = sorted({name for specs in SPECS.values() for name in specs} | {"location", "lat", "lon", "precision"})


def check_problems(problems, path: Path, text: str) -> None:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    for problem in problems:
        assert problem.path == path
        assert 1 <= problem.line <= lines, problem
        assert problem.field and problem.message
        assert "\n" not in problem.format(), problem


def load_and_build(path: Path, kind: str) -> None:
    """What read_content does for one file, asserting that each step ends cleanly."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    entry, problems = load_file(path, kind)
    assert (entry is None) == bool(problems)
    check_problems(problems, path, text)
    if entry is None:
        return
    assert isinstance(entry.data, LineDict)
    check = Checker(path)
    model = build_entry(entry, check, DISTRICTS)
    assert (model is None) == bool(check.problems)
    check_problems(check.problems, path, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(SPECS)), front=hostile_text, body=hostile_text)
def test_any_front_matter_and_body_give_an_entry_or_clean_problems(tmp_path: Path, kind: str, front: str, body: str):
    path = tmp_path / "x.md"
    path.write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8", errors="surrogatepass")
    load_and_build(path, kind)


# Front matter that is valid YAML more often: known field names, values of every YAML type and style.
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text,
                    st.sampled_from(["2023-10", "2023-02-30", "site", "district", "黄岛区", "test-daily", "https://x.org",
                                     "javascript:x", "../x", "1e999", "0x1F", "~", "yes", "<script>"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(SPECS)), data=st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=8),
       flow=st.booleans(), body=hostile_text)
def test_any_yaml_fields_give_an_entry_or_clean_problems(tmp_path: Path, kind: str, data: dict, flow: bool,
                                                          body: str):
    front = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow)
    path = tmp_path / "x.md"
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8", errors="surrogatepass")
    load_and_build(path, kind)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".md", ".yaml"]))
def test_any_bytes_give_an_entry_or_clean_problems(tmp_path: Path, raw: bytes, suffix: str):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(raw)
    load_and_build(path, "projects")


@st.composite
def alias_documents(draw, deep: bool) -> str:
    """Anchored blocks, each repeating earlier ones through '*aliases' (sizes grow exponentially), nested
    in brackets a few levels deep or, when ``deep``, sometimes hundreds (Python's stack gives out near 330)."""
    lines = []
    for number in range(draw(st.integers(1, 10))):
        items = [draw(st.sampled_from(["x", "1", "[]"])) for _ in range(draw(st.integers(0, 3)))]
        repeats = draw(st.integers(0, 12)) if number else 0
        items += [f"*a{draw(st.integers(max(0, number - 2), number - 1))}" for _ in range(repeats)]
        wrap = draw(st.integers(250, 1100) if deep and draw(st.booleans()) else st.integers(0, 3))
        lines.append(f"k{number}: &a{number} " + "[" * wrap + f"[{', '.join(items)}]" + "]" * wrap)
    return "\n".join(lines) + "\n"


def expanded(value: object, depth: int = 1) -> tuple[int, int]:
    """(values, depth) of the tree as a stage that walks it sees it: aliases repeated."""
    if isinstance(value, dict):
        children = [child for pair in value.items() for child in pair]
    elif isinstance(value, list):
        children = list(value)
    else:
        return 1, depth
    count, deepest = 1, depth
    for child in children:
        child_count, child_depth = expanded(child, depth + 1)
        count, deepest = count + child_count, max(deepest, child_depth)
        if count > MAX_VALUES + 1:  # stop walking a tree that is already too big: the assertion will fail
            break
    return count, deepest


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(alias_documents(deep=False), alias_documents(deep=True)))
def test_aliases_never_hand_later_stages_more_than_the_limits(text: str):
    data, problems = parse_yaml(text, Path("x.yaml"))
    if problems:
        [problem] = problems
        assert problem.field == "yaml" and problem.line >= 1
        return
    count, depth = expanded(data)
    assert count <= MAX_VALUES and depth <= MAX_DEPTH


@settings(max_examples=300, deadline=None)
@given(body=st.lists(st.one_of(hostile_text, st.sampled_from([
    "<script>x()</script>", "<img src=x onerror=y()>", "[a](javascript:x)", "<a href='data:text/html,x'>a</a>",
    "<iframe src=x>", "<svg onload=x>", "<style>*{}</style>", "<!--", "-->", "<p style='x'>", "<", ">", "\n\n",
    "    code", "> quote", "- item", "| a | b |\n|---|---|", "&#106;avascript:x", "<math><mtext><script>x()"])),
    max_size=12).map("".join))
def test_any_body_renders_without_script_or_handlers(body: str):
    html = str(markdown_to_html(body))
    scan = scan_html(html)
    assert scan.problems == []
    assert scan.scripts == []
    assert "<iframe" not in html and "<style" not in html and "<img" not in html


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_a_neutralised_cell_never_starts_a_formula(value):
    cell = neutralise_csv_cell(value)
    if isinstance(cell, str):
        text = "" if value is None else str(value)
        assert cell in (text, "'" + text)
        assert cell.startswith("'") or not cell.lstrip(" ").startswith(FORMULA_STARTS)
    else:
        assert cell == value
