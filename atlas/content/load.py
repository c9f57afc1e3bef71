"""Read entry files into raw dictionaries, remembering the line of every field.

A file is YAML, or Markdown with a YAML front-matter block. Reading never raises for bad content:
it returns a :class:`RawEntry` or the problems that stopped it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from atlas.problems import Problem

try:  # libyaml's parser is ~8x faster; the constructor stays in Python so we can record lines
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

KINDS = ("chains", "parks", "projects", "pages", "sources")
MAX_FILE_BYTES = 2_000_000
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class LineDict(dict):
    """A dict that knows the line (1-based) each key was written on, and its own line."""

    line: int = 1
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 1
    item_lines: list


class _LineLoader(_BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates stay as the editor wrote them ("2023-10"), never become datetime objects.
    return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


@dataclass(frozen=True)
class RawEntry:
    kind: str
    slug: str
    path: Path
    data: LineDict
    body: str = ""
    body_en: str = ""
    body_line: int = 0


@dataclass
class Loaded:
    entries: list[RawEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[object, list[Problem]]:
    """Parse YAML text; line numbers are shifted so they count from ``first_line`` in the file."""
    try:
        loader = _LineLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else first_line
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        return None, [Problem(path, line, "yaml", f"{what}; check indentation, colons and quotes")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, first_line, "yaml", f"invalid YAML: {exc}")]
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    return data, []


def _shift_lines(value: object, offset: int) -> None:
    if isinstance(value, LineDict):
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, LineList):
        value.line += offset
        value.item_lines = [v + offset for v in value.item_lines]
        for child in value:
            _shift_lines(child, offset)


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file, or say why not."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(path, 1, "file", f"file is {size:,} bytes; entries are limited to "
                                  f"{MAX_FILE_BYTES:,} bytes — split it or move data out")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path, 1, "file", f"cannot read: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "encoding",
                              "file is not UTF-8; save it as UTF-8 (in Notepad: Save As → Encoding: UTF-8)")]
    return text.replace("\r\n", "\n"), []


def split_front_matter(text: str, path: Path) -> tuple[str | None, str, int, list[Problem]]:
    """Split Markdown into (front matter YAML, body, body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1, [Problem(path, 1, "front matter",
                                       "a Markdown entry must start with a '---' line, then YAML fields, "
                                       "then a closing '---' line")]
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2, []
    return None, "", 1, [Problem(path, 1, "front matter",
                                 "front matter opened with '---' on line 1 is never closed; "
                                 "add a '---' line after the last field")]


def load_file(path: Path, kind: str) -> tuple[RawEntry | None, list[Problem]]:
    """Load one entry file of the given kind."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(path, 1, "file", "file is empty; fill it in (see `python build.py new`) or delete it")]
    body, body_line = "", 0
    if path.suffix == ".md":
        front, body, body_line, problems = split_front_matter(text, path)
        if front is None:
            return None, problems
        data, problems = parse_yaml(front, path, first_line=2)
    else:
        data, problems = parse_yaml(text, path)
    if problems:
        return None, problems
    if data is None:
        return None, [Problem(path, 1, "file", "no fields found; an entry needs at least its required fields")]
    if not isinstance(data, LineDict):
        return None, [Problem(path, 1, "yaml", f"expected 'field: value' lines, found a {type(data).__name__}")]
    return RawEntry(kind, entry_slug(path), path, data, body.strip("\n"), "", body_line), []


def entry_slug(path: Path) -> str:
    name = path.name
    for suffix in (".en.md", ".md", ".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def slug_problem(slug: str) -> str | None:
    """Why a slug is not allowed, or None."""
    if SLUG_RE.match(slug):
        return None
    hints = []
    if slug != slug.lower():
        hints.append("capitals")
    if " " in slug:
        hints.append("spaces")
    if "." in slug:
        hints.append("dots")
    if "_" in slug:
        hints.append("underscores")
    what = f" (it has {', '.join(hints)})" if hints else ""
    suggestion = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "my-entry"
    return (f"'{slug}' is not a valid slug{what}: use lowercase letters, digits and hyphens, "
            f"e.g. rename the file to '{suggestion}'")


def load_content(root: Path) -> Loaded:
    """Load every entry under ``root`` (the content folder); collect all problems."""
    loaded = Loaded()
    seen: dict[tuple[str, str], Path] = {}
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        translations: dict[str, Path] = {}
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "_", "#")) or path.name.endswith("~") or path.is_dir():
                continue
            if path.suffix not in (".md", ".yaml", ".yml"):
                loaded.problems.append(Problem(path, 1, "file", f"'{path.suffix or path.name}' files are not "
                                               "entries; use .md or .yaml (or move the file out of content/)"))
                continue
            slug = entry_slug(path)
            reason = slug_problem(slug)
            if reason:
                loaded.problems.append(Problem(path, 1, "slug", reason))
                continue
            if path.name.endswith(".en.md"):
                translations[slug] = path
                continue
            if (kind, slug) in seen:
                loaded.problems.append(Problem(path, 1, "slug", f"'{slug}' is defined twice: here and in "
                                               f"{seen[(kind, slug)].name}; keep one file per slug"))
                continue
            seen[(kind, slug)] = path
            entry, problems = load_file(path, kind)
            loaded.problems.extend(problems)
            if entry is not None:
                loaded.entries.append(entry)
        _attach_translations(loaded, kind, translations)
    return loaded


def _attach_translations(loaded: Loaded, kind: str, translations: dict[str, Path]) -> None:
    by_slug = {e.slug: i for i, e in enumerate(loaded.entries) if e.kind == kind}
    for slug, path in translations.items():
        if slug not in by_slug:
            loaded.problems.append(Problem(path, 1, "slug", f"English body for '{slug}', but there is no "
                                           f"{kind}/{slug}.md or .yaml to translate"))
            continue
        text, problems = read_text(path)
        loaded.problems.extend(problems)
        if text is not None:
            index = by_slug[slug]
            entry = loaded.entries[index]
            loaded.entries[index] = RawEntry(entry.kind, entry.slug, entry.path, entry.data, entry.body,
                                             text.strip("\n"), entry.body_line)
