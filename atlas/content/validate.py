"""Checks across entries: every slug a field names must exist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from atlas.content.fields import did_you_mean
from atlas.content.load import LineDict, RawEntry, slug_problem
from atlas.problems import Problem

if TYPE_CHECKING:
    from atlas.content import Content


def check_references(content: Content, raws: Iterable[RawEntry],
                     present: Iterable[tuple[str, str]] = ()) -> list[Problem]:
    """Unknown chain, park and source slugs, found wherever they are written (with their lines).

    ``present`` holds (kind, slug) of every entry file, so a slug whose file has problems of its own
    is not also reported as missing.
    """
    raws = list(raws)
    known = {
        "chains": {c.slug for c in content.chains},
        "parks": {p.slug for p in content.parks},
        "sources": {s.slug for s in content.sources},
    }
    for kind, slug in [(r.kind, r.slug) for r in raws] + list(present):
        if kind in known:
            known[kind].add(slug)
    problems: list[Problem] = []
    for raw in raws:
        data = raw.data
        if raw.kind == "projects":
            _check_slug(problems, raw, data, "chain", known["chains"], "chains")
            _check_slug(problems, raw, data, "park", known["parks"], "parks")
        if raw.kind == "parks" and isinstance(data.get("chains"), str):
            _check_slug(problems, raw, data, "chains", known["chains"], "chains")
        if raw.kind == "parks" and isinstance(data.get("chains"), list):
            for index, value in enumerate(data["chains"]):
                line = data["chains"].item_lines[index] if hasattr(data["chains"], "item_lines") else data.line
                if _is_unknown(value, known["chains"]):
                    problems.append(Problem(raw.path, line, f"chains[{index + 1}]",
                                            _unknown(value, known["chains"], "chains")))
        problems += unknown_sources(raw.path, data, known["sources"])
    return problems


def unknown_sources(path, data: LineDict, known: set[str]) -> list[Problem]:
    return [Problem(path, line, name, _unknown(value, known, "sources"))
            for line, name, value in _source_slugs(data, "") if _is_unknown(value, known)]


def _check_slug(problems: list[Problem], raw: RawEntry, data: LineDict, key: str, known: set[str], folder: str):
    value = data.get(key)
    if _is_unknown(value, known):
        problems.append(Problem(raw.path, data.line_of(key), key, _unknown(value, known, folder)))


def _is_unknown(value: object, known: set[str]) -> bool:
    """A well-formed slug that names no entry (malformed slugs are reported by the field readers)."""
    return isinstance(value, str) and value.strip() not in known and slug_problem(value.strip()) is None


def _unknown(value: str, known: set[str], folder: str) -> str:
    value = value.strip()
    new_file = f"{value}.yaml" if folder == "sources" else f"{value}.md"
    return (f"no {folder[:-1]} '{value}' in content/{folder}/{did_you_mean(value, sorted(known))}; "
            f"check the spelling or add content/{folder}/{new_file}")


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


def drafts_of(raws: Iterable[RawEntry]) -> set[tuple[str, str]]:
    return {(raw.kind, raw.slug) for raw in raws if raw.data.get("draft") is True}


def check_draft_references(raws: Iterable[RawEntry], drafts: set[tuple[str, str]]) -> list[Problem]:
    """A published entry must not link to a draft, which will not be on the site."""
    problems: list[Problem] = []
    for raw in raws:
        if (raw.kind, raw.slug) in drafts:
            continue
        links = []
        if raw.kind == "projects":
            links = [("chain", "chains", raw.data.get("chain"), raw.data.line_of("chain")),
                     ("park", "parks", raw.data.get("park"), raw.data.line_of("park"))]
        elif raw.kind == "parks" and isinstance(raw.data.get("chains"), list):
            chains = raw.data["chains"]
            lines = getattr(chains, "item_lines", [raw.data.line] * len(chains))
            links = [(f"chains[{i + 1}]", "chains", value, lines[i]) for i, value in enumerate(chains)]
        for name, kind, value, line in links:
            if isinstance(value, str) and (kind, value.strip()) in drafts:
                problems.append(Problem(raw.path, line, name, f"'{value.strip()}' is a draft (draft: true) and will "
                                        "not be published; publish it, or build with --drafts"))
    return problems
