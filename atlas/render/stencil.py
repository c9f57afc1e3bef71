"""Render a template once per shape of its input, then fill in what differs: the small map of every project page.

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

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

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
        out = [self.pieces[0]]
        for (get, escaped), piece in zip(self.slots, self.pieces[1:]):
            value = get(subject)
            out.append(_escaped(value) if escaped else str(value))
            out.append(piece)
        return "".join(out)


class Stencils:
    """The stencils of one template and one set of template globals (a language's render)."""

    def __init__(self, getter: Callable[[str], Callable[[Any], object]]) -> None:
        self.getter = getter  # value name -> a function that reads that value from a call's subject
        self._by_shape: dict[Hashable, Stencil | None] = {}  # None: this shape is rendered directly
        self.filled = 0  # pages filled from a stencil (tests check the fast path is taken)

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
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
            .replace('"', "&#34;"))
