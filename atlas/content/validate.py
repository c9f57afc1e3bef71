"""Checks across entries: every slug a field names must exist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from atlas.content.fields import did_you_mean
from atlas.content.load import LineDict, RawEntry
from atlas.problems import Problem

if TYPE_CHECKING:
    from atlas.content import Content


def check_references(content: Content, raws: Iterable[RawEntry]) -> list[Problem]:
    """Unknown chain, park and source slugs, found wherever they are written (with their lines)."""
    known = {
        "chains": {c.slug for c in content.chains},
        "parks": {p.slug for p in content.parks},
        "sources": {s.slug for s in content.sources},
    }
    problems: list[Problem] = []
    for raw in raws:
        data = raw.data
        if raw.kind == "projects":
            _check_slug(problems, raw, data, "chain", known["chains"], "chains")
            _check_slug(problems, raw, data, "park", known["parks"], "parks")
        if raw.kind == "parks" and isinstance(data.get("chains"), list):
            for index, value in enumerate(data["chains"]):
                line = data["chains"].item_lines[index] if hasattr(data["chains"], "item_lines") else data.line
                if isinstance(value, str) and value not in known["chains"] and value == value.lower():
                    problems.append(Problem(raw.path, line, f"chains[{index + 1}]",
                                            _unknown(value, known["chains"], "chains")))
        problems += unknown_sources(raw.path, data, known["sources"])
    return problems


def unknown_sources(path, data: LineDict, known: set[str]) -> list[Problem]:
    return [Problem(path, line, name, _unknown(value, known, "sources"))
            for line, name, value in _source_slugs(data, "") if value not in known]


def _check_slug(problems: list[Problem], raw: RawEntry, data: LineDict, key: str, known: set[str], folder: str):
    value = data.get(key)
    if isinstance(value, str) and value and value not in known and value == value.lower():
        problems.append(Problem(raw.path, data.line_of(key), key, _unknown(value, known, folder)))


def _unknown(value: str, known: set[str], folder: str) -> str:
    return (f"no {folder[:-1]} '{value}' in content/{folder}/{did_you_mean(value, sorted(known))}; "
            f"check the spelling or add content/{folder}/{value}.md")


def _source_slugs(value: object, name: str):
    """Yield (line, field path, slug) for every 'source:' written anywhere in a raw entry."""
    if isinstance(value, LineDict):
        for key, child in value.items():
            path = f"{name}.{key}" if name else key
            if key == "source" and isinstance(child, str):
                yield value.line_of(key), path, child
            else:
                yield from _source_slugs(child, path)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _source_slugs(child, f"{name}[{index + 1}]")
