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
    """A dict that knows the line (1-based) each key was written on, and its own line.

    ``duplicates`` lists keys written twice as (key, first line, repeated line); YAML keeps the last value.
    """

    line: int = 1
    key_lines: dict
    duplicates: list

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 1
    item_lines: list


class _LineLoader(_BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    # Keys written in this mapping (not merged in by '<<: *anchor'), so overriding a merged key is no repeat.
    own_keys = {id(key_node) for key_node, _ in node.value}
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.duplicates = []
    own_seen: set[str] = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        line = key_node.start_mark.line + 1
        if id(key_node) in own_keys:
            if key in own_seen:
                result.duplicates.append((key, result.key_lines[key], line))
            own_seen.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
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
    present: set[tuple[str, str]] = field(default_factory=set)  # (kind, slug) of every entry file, valid or not


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[object, list[Problem]]:
    """Parse YAML text; line numbers are shifted so they count from ``first_line`` in the file."""
    try:
        loader = _LineLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, text, path, first_line)]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + first_line
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or b"\0")
        return None, [Problem(path, line, "yaml", f"the file contains the control character #x{code:04x}, "
                              "which YAML does not allow; delete it (it is often invisible: retype the line)")]
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        return None, [Problem(path, first_line, "yaml", f"invalid YAML: {message}")]
    if first_line != 1:
        _shift_lines(data, first_line - 1, set())
    return data, []


YAML_HINTS = (  # (words in PyYAML's message, what the editor should do)
    ("mapping values are not allowed", "put the value in quotes when it contains ': ' (e.g. note: \"A: B\"), "
                                       "or fix this line's indentation"),
    ("found undefined alias", "'*' starts a YAML alias; put the value in quotes if the '*' is part of the text"),
    ("could not determine a constructor", "remove the '!' tag, or put the value in quotes if '!' is part of "
                                          "the text"),
    ("recursive", "an '*alias' refers to the block it is in; remove it"),
    ("but found another document", "an entry is one YAML document: remove the extra '---' line "
                                   "(a Markdown entry needs the .md extension)"),
)


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, path: Path, first_line: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "invalid YAML"
    if exc.context:
        what = f"{exc.context}, {what}"
    unclosed = exc.context and ("flow" in exc.context or "quoted" in exc.context)
    if unclosed and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        # An open bracket or quote is noticed lines later (often at the end of the file): point at its start.
        what += f" (noticed on line {exc.problem_mark.line + first_line})"
        mark = exc.context_mark
    line = (mark.line + first_line) if mark else first_line
    lines = text.split("\n")
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        hint = "indent with spaces, not tabs"
    elif unclosed:
        hint = "close the bracket or quote opened on this line"
    else:
        hint = next((h for words, h in YAML_HINTS if words in what), "check indentation, colons and quotes")
    return Problem(path, line, "yaml", f"{' '.join(what.split())}; {hint}")


def _shift_lines(value: object, offset: int, done: set[int]) -> None:
    if id(value) in done:  # an aliased block ('*name') appears twice in the tree but is one object
        return
    if isinstance(value, LineDict):
        done.add(id(value))
        value.line += offset
        value.key_lines = {k: v + offset for k, v in value.key_lines.items()}
        value.duplicates = [(k, a + offset, b + offset) for k, a, b in value.duplicates]
        for child in value.values():
            _shift_lines(child, offset, done)
    elif isinstance(value, LineList):
        done.add(id(value))
        value.line += offset
        value.item_lines = [v + offset for v in value.item_lines]
        for child in value:
            _shift_lines(child, offset, done)


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
        return None, [Problem(path, line, "encoding", f"file is not UTF-8{_guess_encoding(raw)}; save it as "
                              "UTF-8 (in Notepad: Save As → Encoding: UTF-8)")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def _guess_encoding(raw: bytes) -> str:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return " (it looks like GBK/GB18030, a common Chinese Windows encoding)"


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
        found = "a list ('- ' items)" if isinstance(data, list) else f"the single value '{str(data)[:40]}'"
        return None, [Problem(path, 2 if path.suffix == ".md" else 1, "yaml",
                              f"expected 'field: value' lines (e.g. 'name: …'), found {found}")]
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
    if ".." in slug:
        hints.append("'..'")
    elif "." in slug:
        hints.append("dots")
    if "/" in slug or "\\" in slug:
        hints.append("slashes")
    if "_" in slug:
        hints.append("underscores")
    what = f" (it has {', '.join(hints)})" if hints else ""
    # A path or file name ("../parks/x.md") most likely means its last part without the extension.
    last = re.sub(r"\.(md|yaml|yml)$", "", re.split(r"[/\\]", slug.strip())[-1])
    suggestion = re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-") or "my-entry"
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
            loaded.present.add((kind, slug))
            entry, problems = load_file(path, kind)
            loaded.problems.extend(problems)
            if entry is not None:
                loaded.entries.append(entry)
        _attach_translations(loaded, kind, translations, {s for k, s in seen if k == kind})
    return loaded


def _attach_translations(loaded: Loaded, kind: str, translations: dict[str, Path], present: set[str]) -> None:
    by_slug = {e.slug: i for i, e in enumerate(loaded.entries) if e.kind == kind}
    for slug, path in translations.items():
        if kind == "sources":
            loaded.problems.append(Problem(path, 1, "slug", "source entries have no body to translate; put "
                                           "English in title_en and note_en, and delete this file"))
            continue
        if slug not in present:
            loaded.problems.append(Problem(path, 1, "slug", f"English body for '{slug}', but there is no "
                                           f"{kind}/{slug}.md or .yaml to translate; rename or delete this file"))
            continue
        if slug not in by_slug:  # the entry itself has problems, already reported
            continue
        text, problems = read_text(path)
        loaded.problems.extend(problems)
        if text is not None:
            index = by_slug[slug]
            entry = loaded.entries[index]
            loaded.entries[index] = RawEntry(entry.kind, entry.slug, entry.path, entry.data, entry.body,
                                             text.strip("\n"), entry.body_line)
