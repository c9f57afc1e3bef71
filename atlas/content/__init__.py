"""Load and validate content: files → model objects, with every problem reported together."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.config import load_settings
from atlas.content.entries import build_entry
from atlas.content.fields import Checker, Spec, read_fields
from atlas.content.fields import figures as read_figures
from atlas.content.load import LineDict, load_content, load_file, parse_yaml, read_text, unsafe_paths
from atlas.content.validate import check_draft_references, check_references, drafts_of, unknown_sources
from atlas.geo import Geo, load_geo
from atlas.model import Chain, Figure, Page, Park, Project, Settings, Source
from atlas.problems import ContentError, Problem

if TYPE_CHECKING:
    from atlas.content.memo import ParseMemo


@dataclass(frozen=True)
class Content:
    """Every entry of a content folder, valid one by one and across entries."""

    root: Path
    settings: Settings
    geo: Geo
    chains: tuple[Chain, ...]
    parks: tuple[Park, ...]
    projects: tuple[Project, ...]
    sources: tuple[Source, ...]
    pages: tuple[Page, ...]
    figures: tuple[Figure, ...]
    # (kind, slug) → hash of the entry's file without its body (RawEntry.fields_digest): what other pages can show
    fields_digests: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)


def read_content(root: Path, include_drafts: bool = False, memo: ParseMemo | None = None) -> Content:
    """Load ``root`` and validate it; raise :class:`ContentError` with all problems if any.

    Drafts (``draft: true``) are validated like every entry, then left out unless ``include_drafts``.
    A ``memo`` (``atlas.content.memo``) keeps parsed files and built entries: only what changed is redone.
    """
    root = Path(root)
    if not root.is_dir():
        raise ContentError([Problem(root, 1, "content", "folder not found; pass --content DIR "
                                    "(the folder holding atlas.yaml, chains/, parks/, projects/)")])
    unsafe = unsafe_paths(root)
    if unsafe:  # read nothing at all: a link could lead to private files or to a device that never ends
        raise ContentError(unsafe)
    problems: list[Problem] = []
    settings, found = load_settings(root)
    problems += found
    geo, found = load_geo(root)
    problems += found
    if memo is not None:
        memo.start()
    loaded = load_content(root, memo or load_file)
    if memo is not None:
        memo.forget_unused()
    problems += loaded.problems
    by_kind: dict[str, list] = {kind: [] for kind in ("chains", "parks", "projects", "sources", "pages")}
    build = memo.build_entry if memo is not None else build_entry
    for raw in loaded.entries:
        check = Checker(raw.path)
        entry = build(raw, check, geo.names)
        problems += check.problems
        if entry is not None:
            by_kind[raw.kind].append(entry)
    present_sources = {slug for kind, slug in loaded.present if kind == "sources"}
    figures, found = load_figures(root, {s.slug for s in by_kind["sources"]} | present_sources)
    problems += found
    content = Content(root, settings, geo, *(tuple(sorted(by_kind[k], key=lambda e: e.slug))
                                              for k in ("chains", "parks", "projects", "sources", "pages")),
                      figures=figures,
                      fields_digests={(raw.kind, raw.slug): raw.fields_digest for raw in loaded.entries})
    problems += check_references(content, loaded.entries, loaded.present)
    if not include_drafts:
        content = without_drafts(content)
        problems += check_draft_references(loaded.entries, drafts_of(loaded.entries))
    if problems or settings is None:
        raise ContentError(problems)
    return content


def without_drafts(content: Content) -> Content:
    kept = {kind: tuple(e for e in getattr(content, kind) if not getattr(e, "draft", False))
            for kind in ("chains", "parks", "projects", "pages")}
    return replace(content, **kept)


def load_figures(root: Path, known_sources: set[str]) -> tuple[tuple[Figure, ...], list[Problem]]:
    path = root / "figures.yaml"
    if not path.is_file():
        return (), []
    text, problems = read_text(path)
    if text is None:
        return (), problems
    data, problems = parse_yaml(text, path)
    if problems:
        return (), problems
    if not isinstance(data, LineDict):
        return (), [Problem(path, 1, "figures", "expected a 'figures:' list")]
    check = Checker(path)
    values = read_fields(check, data, {"figures": Spec(read_figures, required=True)})
    figures = values.get("figures", ())
    seen: set[str] = set()
    for index, figure in enumerate(figures):
        if not figure.id:
            check.add(data.line_of("figures"), f"figures[{index + 1}].id", "each city figure needs an 'id'")
        elif figure.id in seen:
            check.add(data.line_of("figures"), f"figures[{index + 1}].id", f"id '{figure.id}' is used twice")
        seen.add(figure.id or "")
    return figures, check.problems + unknown_sources(path, data, known_sources)
