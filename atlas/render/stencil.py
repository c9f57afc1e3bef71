"""Render a template once per shape of its input, then fill in what differs: the small map of every project page
(:class:`Stencils`) and the rows of a map's long list of places (:func:`each_row`).

Thousands of pages show a map that differs from the others only in a few printed values (a label, a data block,
a link). A caller names the *shape* — everything that steers the template's control flow — and the values the
template only prints. The template is rendered once per shape with a placeholder for each such value; later calls
join the literal pieces with the values, escaped where the template's autoescaping escaped the placeholder, as
they are where it marked the placeholder safe. The placeholder carries a "<" to tell the two apart.

The first call of a shape renders the page's template directly too and compares: a template that does more with
a value than print it (a test, a filter) gives a different page, and that shape is then always rendered directly.
So an edited template can make this slower, never wrong.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markupsafe
from jinja2 import nodes
from markupsafe import Markup, escape

_SLOT = re.compile("\x00([^\x00<&]+)(<|&lt;)\x00")


def placeholder(name: str) -> str:
    """The text a template gets for the value ``name`` while its stencil is made (plain text: autoescaped)."""
    return f"\x00{name}<\x00"


@dataclass(frozen=True)
class Stencil:
    pieces: tuple[str, ...]  # literal output around the slots: one more than there are slots
    slots: tuple[tuple[Callable[[Any], object], bool], ...]  # (value getter, escaped)

    @classmethod
    def of(cls, output: str, getter: Callable[[str], Callable[[Any], object]]) -> Stencil:
        """The stencil of a placeholder render; ``getter(name)`` reads that value from what a call fills in."""
        parts = _SLOT.split(output)  # text, name, "<" or "&lt;", text, …
        return cls(tuple(parts[0::3]), tuple((getter(name), mark != "<") for name, mark in zip(parts[1::3],
                                                                                            parts[2::3])))

    def fill(self, subject: Any) -> str:
        return self.layout % tuple([_escaped(get(subject)) if escaped else str(get(subject))
                                    for get, escaped in self.slots])

    @functools.cached_property
    def layout(self) -> str:
        """The pieces as a %-format with a ``%s`` for each slot: one C call puts the values in."""
        return "%s".join(piece.replace("%", "%%") for piece in self.pieces)


class Stencils:
    """The stencils of one template and one set of template globals (a language's render)."""

    def __init__(self, getter: Callable[[str], Callable[[Any], object]]) -> None:
        self.getter = getter  # value name -> a function that reads that value from a call's subject
        self._by_shape: dict[Hashable, Stencil | None] = {}  # None: this shape is rendered directly
        self.filled = 0  # pages filled from a stencil (tests check the fast path is taken)

    def ready(self, shape: Hashable) -> Stencil | None:
        """The stencil of a shape already shown to fill in as the template renders, else None."""
        stencil = self._by_shape.get(shape)
        if stencil is not None:
            self.filled += 1
        return stencil

    def render(self, shape: Hashable, subject: Any, with_placeholders: Callable[[], str],
               directly: Callable[[], str]) -> str:
        """The template's output for ``subject``: ``directly()`` rendered, or filled in from the shape's stencil."""
        stencil = self._by_shape.get(shape, False)
        if stencil is False:
            page = directly()
            try:
                made = Stencil.of(with_placeholders(), self.getter)
                same = "\x00" not in page and made.fill(subject) == page
            except (LookupError, AttributeError, ValueError):  # a slot with no value: a changed placeholder
                same = False
            self._by_shape[shape] = made if same else None
            return page
        if stencil is None:
            return directly()
        self.filled += 1
        return stencil.fill(subject)


def _escaped(value: object) -> str:
    """``markupsafe.escape(value)`` as text (the same five characters), without a Markup object for each value."""
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_text(str(value))


def _escape_by_replacing(text: str) -> str:
    if _NEEDS_ESCAPING.search(text) is None:  # most names and URLs: one scan instead of five replaces
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace(
        '"', "&#34;")


# markupsafe's own escaping of a str, in C where its speed-ups are built (markupsafe.escape wraps it in a Markup,
# which costs more than the escaping); the same replaces in Python where a markupsafe version lacks it
_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", None) or _escape_by_replacing
_NEEDS_ESCAPING = re.compile("[&<>'\"]")


# --- many rows of one macro: a map's list or table of places ---------------------------------------------

ROWS_FROM_STENCIL = 8  # fewer rows are rendered one by one: a stencil costs three renders to make and check


def each_row(macro: Callable[[str, Any], str], rows: list[tuple[str, Any]], separator: str = "") -> Markup:
    """``macro(url, place)`` for every ``(url, place)`` of ``rows``, joined by ``separator`` (text, escaped);
    from a stencil when there are many.

    Only a macro whose body does nothing but print its URL and fields of its place (``{{ url }}``,
    ``{{ place['name'] }}``: no test, filter, operator or call, read from the macro's own template) is filled
    in; and only if the stencil gives the first and last rows as the macro does and every row has the fields
    it prints. Otherwise the macro renders every row, so its errors name their template line. Like a small
    map: slower, never different.
    """
    joiner = str(escape(separator))  # a plain str: Markup.join would escape the rows
    if len(rows) >= ROWS_FROM_STENCIL and _prints_only(macro):
        made = Stencil.of(str(macro(placeholder("url"), PlaceholderPlace())), _row_value)
        try:
            filled = [made.fill(row) for row in rows]
        except (LookupError, TypeError):  # a row without a field the macro prints: let the macro say where
            filled = None
        if filled and filled[0] == str(macro(*rows[0])) and filled[-1] == str(macro(*rows[-1])):
            return Markup(joiner.join(filled))
    return Markup(joiner.join(macro(url, place) for url, place in rows))


def _prints_only(macro: Any) -> bool:
    """Whether the macro's body is literal text and plain prints of its first argument and of constant keys
    of its second (parsed from its template file; a template made from a string is never filled in)."""
    function, arguments = getattr(macro, "_func", None), tuple(getattr(macro, "arguments", ()))
    if function is None or len(arguments) != 2:
        return False
    path = Path(function.__code__.co_filename)  # Jinja compiles a template under its file's name
    if not path.is_file():
        return False
    stat = path.stat()
    return _body_prints_only(macro._environment, str(path), stat.st_mtime_ns, stat.st_size, macro.name, arguments)


@functools.lru_cache(maxsize=64)
def _body_prints_only(env: Any, path: str, _mtime_ns: int, _size: int, name: str, arguments: tuple[str, str]) -> bool:
    url, place = arguments
    for found in env.parse(Path(path).read_text(encoding="utf-8")).find_all(nodes.Macro):
        if found.name == name:
            return all(isinstance(node, nodes.Output) and all(
                isinstance(part, nodes.TemplateData)
                or (isinstance(part, nodes.Name) and part.name == url)
                or (isinstance(part, nodes.Getitem) and isinstance(part.node, nodes.Name) and part.node.name == place
                    and isinstance(part.arg, nodes.Const) and isinstance(part.arg.value, str))
                for part in node.nodes) for node in found.body)
    return False


def _row_value(name: str) -> Callable[[tuple[str, Any]], object]:
    """What reads the value of a row's placeholder ``name`` ("url", "place.<field>") from ``(url, place)``."""
    if name == "url":
        return operator.itemgetter(0)
    field = name.removeprefix("place.")
    return lambda row: row[1][field]


class PlaceholderPlace(dict):
    """A place whose every field is a placeholder: ``PlaceholderPlace("place.0")["name"]`` stands for
    "place.0.name" (a small map's places, ``site.small_map_html``; a list's row, ``each_row``)."""

    def __init__(self, prefix: str = "place"):
        super().__init__()
        self.prefix = prefix

    def __getitem__(self, key: str) -> str:
        return placeholder(f"{self.prefix}.{key}")
