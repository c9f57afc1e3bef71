"""Small maps are made once per shape and filled in, a map's long list of places row by row from one render
(atlas.render.stencil): the pages must not change."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup, escape

from atlas.pipeline import load_atlas
from atlas.render import site, stencil
from atlas.render.stencil import Stencil, Stencils, each_row, placeholder
from atlas.render.urls import UrlMode
from bench.synthetic import synthetic_atlas
from tests.conftest import QINGDAO_CONTENT

HOSTILE = ['</script><script>alert(1)</script>', 'a "quoted" & \'single\' <b>', "\u2028 é 青岛", "{{ 1 }} %(x)s"]


def by_name(name: str):
    return lambda values: values[name]


def render(template: jinja2.Template, stencils: Stencils, shape, values: dict) -> str:
    stand_in = {name: placeholder(name) for name in values}
    return stencils.render(shape, values, lambda: template.render(stand_in), lambda: template.render(values))



@pytest.mark.parametrize("text", HOSTILE + ["", "plain", "&amp; already", "\x00<\x00", "🀄" * 3 + "<"])
def test_both_ways_of_escaping_give_what_markupsafe_escape_gives(text):
    """markupsafe's C escaping where it has one, the same replaces in Python where not: one result."""
    assert stencil._escape_text(text) == stencil._escape_by_replacing(text) == str(escape(text))
    assert stencil._escaped(Markup(text)) == text

@pytest.mark.parametrize("label", HOSTILE + [Markup("<em>already markup</em>")])
def test_a_filled_stencil_escapes_as_the_template_does(label):
    env = jinja2.Environment(autoescape=True)
    template = env.from_string('<div aria-label="{{ label }}">{{ label }}</div><script>{{ data|safe }}</script>')
    stencils = Stencils(by_name)
    first = {"label": "plain", "data": '{"a": 1}'}
    assert render(template, stencils, "one", first) == template.render(first)
    values = {"label": label, "data": '{"b": "</x>"}'}
    assert render(template, stencils, "one", values) == template.render(values)
    assert stencils.filled == 1



def test_percent_signs_in_the_template_text_stay_as_written():
    env = jinja2.Environment(autoescape=True)
    template = env.from_string('<p style="width:100%">%s %% %(x)s {{ label }} 50%</p>')
    stencils = Stencils(by_name)
    assert render(template, stencils, "one", {"label": "first"}) == template.render(label="first")
    assert render(template, stencils, "one", {"label": "%s 100%"}) == template.render(label="%s 100%")
    assert stencils.filled == 1

def test_a_template_that_tests_a_value_is_rendered_directly_once_the_first_page_shows_it():
    env = jinja2.Environment(autoescape=True)
    template = env.from_string("{% if label == 'x' %}X{% endif %}[{{ label }}]")
    stencils = Stencils(by_name)
    for label in ("x", "y", "z"):  # the placeholder is not "x": its stencil lacks the X the first page has
        assert render(template, stencils, "one", {"label": label}) == template.render(label=label)
    assert stencils.filled == 0
    # The check is the first page of each shape only: a test that this page passes goes unseen, which is why a
    # small map's shape names everything that steers templates/partials/map.html (and the site tests below)
    unseen = Stencils(by_name)
    assert render(template, unseen, "one", {"label": "y"}) == "[y]"
    assert render(template, unseen, "one", {"label": "x"}) == "[x]"


def test_a_template_that_filters_a_value_is_rendered_directly():
    env = jinja2.Environment(autoescape=True)
    template = env.from_string("[{{ label|upper }}]")
    stencils = Stencils(by_name)
    for label in ("ab", "cd"):
        assert render(template, stencils, "one", {"label": label}) == template.render(label=label)
    assert stencils.filled == 0


def counting_fills(monkeypatch) -> list:
    """Patch Stencil.fill to note each call; returns the list it appends to."""
    calls, fill = [], Stencil.fill
    monkeypatch.setattr(Stencil, "fill", lambda self, subject: calls.append(subject) or fill(self, subject))
    return calls


def row_macro(body: str, folder: Path, undefined=jinja2.Undefined):
    """A row macro in a template file (each_row reads a macro's body from its template's file)."""
    (folder / "rows.html").write_text("{% macro item(url, place) %}" + body + "{% endmacro %}", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, undefined=undefined)
    return env.get_template("rows.html").module.item


ROWS = [(f"../{i}/?a=1&b='{i}'" if i != 5 else "./", {
    "name": f"{HOSTILE[i % len(HOSTILE)]} {i}", "note": Markup(f"<b>{i}</b>"), "district": "崂山区" if i % 3 else None,
    "count": i}) for i in range(12)]


def test_many_rows_are_filled_from_one_render_and_escape_as_the_macro_does(monkeypatch, tmp_path):
    macro = row_macro('<li><a href="{{ url }}">{{ place["name"] }}</a>{{ place["note"] }}{{ place["name"] }}</li>\n',
                      tmp_path)
    fills = counting_fills(monkeypatch)
    assert each_row(macro, ROWS) == "".join(macro(*row) for row in ROWS)
    assert len(fills) == len(ROWS)  # every row from the stencil
    assert each_row(macro, ROWS[:3]) == "".join(macro(*row) for row in ROWS[:3])  # a few rows: the macro itself
    assert each_row(macro, ROWS, "、<") == "、&lt;".join(macro(*row) for row in ROWS)  # a separator is text


@pytest.mark.parametrize("body", [
    "[{{ place['district'] or '-' }}]",  # a test hidden in "or"
    "{% if place['district'] %}{{ place['district'] }}{% endif %}",
    "{{ place['name']|upper }}",
    "{{ place['name']|truncate(9) }}",  # a filter that leaves the placeholder as it is but not every name
    "{{ place['name']|length }}",
    '{% if url == "./" %} aria-current="page"{% endif %}{{ url }}',  # a comparison, not a truth test
    "{{ place['count'] + 1 }}",  # arithmetic: a placeholder is text
    "{{ place.name }}",
])
def test_a_macro_that_does_more_than_print_a_field_renders_every_row_itself(body, monkeypatch, tmp_path):
    macro = row_macro(body, tmp_path)
    fills = counting_fills(monkeypatch)
    assert each_row(macro, ROWS) == "".join(macro(*row) for row in ROWS)
    assert not fills


def test_a_row_without_a_printed_field_is_reported_by_the_macro_with_its_line(tmp_path):
    macro = row_macro("{{ url }}\n{{ place['note'] }}", tmp_path, jinja2.StrictUndefined)
    rows = ROWS[:6] + [("../x/", {"name": "no note"})] + ROWS[6:]
    with pytest.raises(jinja2.UndefinedError) as raised:
        each_row(macro, rows)
    assert "note" in str(raised.value) and any(frame.filename.endswith("rows.html") for frame in
               __import__("traceback").extract_tb(raised.value.__traceback__))


def test_a_macro_made_from_a_string_is_never_filled_in(monkeypatch):
    macro = jinja2.Environment(autoescape=True).from_string(
        "{% macro item(url, place) %}{{ url }}{% endmacro %}").module.item
    fills = counting_fills(monkeypatch)
    assert each_row(macro, ROWS) == "".join(macro(*row) for row in ROWS)
    assert not fills


def site_without_stencils(atlas, mode, monkeypatch) -> dict[str, bytes]:
    with monkeypatch.context() as patched:
        patched.setattr(site.MapView, "small", property(lambda view: False))
        patched.setattr(stencil, "ROWS_FROM_STENCIL", 10**9)
        return site.render_site(atlas, mode)


@pytest.mark.parametrize("mode", [UrlMode("offline"), UrlMode("published", "https://example.org/atlas/")],
                         ids=["offline", "published"])
def test_every_page_is_the_same_with_and_without_stencils(mode, monkeypatch):
    atlas = load_atlas(QINGDAO_CONTENT)
    site._STENCILS.clear()
    with_stencils = site.render_site(atlas, mode)
    filled = sum(stencils.filled for stencils in site._STENCILS.values())
    placed = sum(1 for project in atlas.projects if atlas.placement("projects", project.slug))
    assert filled >= placed  # nearly every project page's map came from a stencil (two editions, few shapes)
    assert with_stencils == site_without_stencils(atlas, mode, monkeypatch)


def test_synthetic_project_pages_are_the_same_with_and_without_stencils(monkeypatch):
    atlas = synthetic_atlas(300)
    mode = UrlMode("preview")
    site._STENCILS.clear()
    with monkeypatch.context() as patched:
        fills = counting_fills(patched)
        with_stencils = site.render_site(atlas, mode)
    assert sum(stencils.filled for stencils in site._STENCILS.values()) > 300
    rows = [subject for subject in fills if isinstance(subject, tuple)]  # (url, place): a row of a chain's list
    assert len(rows) > 100 and {place["kind"] for _url, place in rows} == {"parks", "projects"}
    assert with_stencils == site_without_stencils(atlas, mode, monkeypatch)
