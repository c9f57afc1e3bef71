"""Read entry files into raw dictionaries, remembering the line of every field.

A file is YAML, or Markdown with a YAML front-matter block. Reading never raises for bad content:
it returns a :class:`RawEntry` or the problems that stopped it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from atlas.problems import Problem

try:  # libyaml's parser is ~8x faster; values are built here (_Builder) so we can record lines
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

KINDS = ("chains", "parks", "projects", "pages", "sources")
MAX_FILE_BYTES = 2_000_000
MAX_BODY_BYTES = 100_000  # Markdown renderers slow down badly on hostile text far below the file limit
MAX_VALUES = 20_000  # values in one file, each *alias counted as the block it repeats; the Qingdao content needs < 800
MAX_DEPTH = 32  # levels of nested values; entries need about five
# What YAML allows in a file (YAML 1.1 "printable"); the same rule holds for Markdown bodies and escaped values.
NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Top-level folders the site writes itself: a page (written to <slug>/index.html) must not take one over.
RESERVED_PAGE_SLUGS = frozenset({"chains", "parks", "projects", "map", "search", "sources", "figures", "static",
                                 "data", "en"})
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


class _Loader(_BaseLoader):
    """libyaml composes the nodes; :class:`_Builder` checks them and turns them into LineDicts and LineLists."""


MAPPING_TAG = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
SEQUENCE_TAG = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
STR_TAG = "tag:yaml.org,2002:str"
SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "str"))


class _TreeProblem(Exception):
    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.node, self.message = node, message


def _check_tree(root: yaml.Node) -> None:
    """The limits of :class:`_Builder`, checked without building, for a mapping about to be merged into.

    The walk is iterative, so deep nesting or a cycle cannot exhaust Python's stack here.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_blocks: set[int] = set()
    stack: list[tuple[yaml.Node, list | None]] = [(root, None)]
    while stack:
        node, children = stack.pop()
        key = id(node)
        if children is not None:  # all its children are done
            open_blocks.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max(depth[id(child)] for child in children) if children else 1
            if depth[key] > MAX_DEPTH:
                raise _TreeProblem(node, TOO_DEEP)
            if size[key] > MAX_VALUES:
                raise _TreeProblem(node, TOO_MANY if len(size) > MAX_VALUES else TOO_MANY_ALIASED)
            continue
        if key in size:
            continue
        if key in open_blocks:
            raise _TreeProblem(node, RECURSIVE)
        if isinstance(node, yaml.ScalarNode):
            size[key] = depth[key] = 1
            continue
        open_blocks.add(key)
        children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) \
            else list(node.value)
        stack.append((node, children))
        stack.extend((child, None) for child in reversed(children))


RECURSIVE = "found a recursive alias: an '*alias' refers to the block it is in; remove it"
TOO_DEEP = f"this block nests values more than {MAX_DEPTH} levels deep; entries need only a few levels — flatten it"
TOO_MANY = f"this block holds more than {MAX_VALUES:,} values; split the file, or move bulk data out of content/"
TOO_MANY_ALIASED = (f"with its '*aliases' repeated, this block holds more than {MAX_VALUES:,} values; write the "
                    "values out instead of repeating blocks with aliases")
MERGE_TAG = "tag:yaml.org,2002:merge"


class _Builder:
    """Nodes -> LineDict / LineList / scalars, each block built once (an '*alias' is the same object).

    Building refuses what would make later stages hang or crash: a recursive alias, nesting deeper than
    MAX_DEPTH, more than MAX_VALUES values, a control character written as an escape. Sizes and depths
    count every '*alias' as the block it repeats, as the stages after loading see it: a few lines of
    aliases ("billion laughs") stand for billions of values. Recursion stops at MAX_DEPTH.
    """

    def __init__(self, loader: _Loader, first_line: int):
        self.loader = loader
        self.first_line = first_line
        self.built: dict[int, object] = {}
        self.sizes: dict[int, tuple[int, int]] = {}  # node id -> (values, levels), aliases expanded
        self.open: set[int] = set()  # blocks being built: meeting one again is a recursive alias

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line

    def build(self, node: yaml.Node, depth: int = 1) -> object:
        key = id(node)
        if key in self.built:
            return self.built[key]
        if key in self.open:
            raise _TreeProblem(node, RECURSIVE)
        if depth > MAX_DEPTH:
            raise _TreeProblem(node, TOO_DEEP)
        if len(self.built) >= MAX_VALUES:
            raise _TreeProblem(node, TOO_MANY)
        if isinstance(node, yaml.ScalarNode):
            value, size = self.scalar(node), (1, 1)
        else:
            self.open.add(key)
            if node.tag == SEQUENCE_TAG and isinstance(node, yaml.SequenceNode):
                value = self.sequence(node, depth)
                children = node.value
            elif node.tag == MAPPING_TAG and isinstance(node, yaml.MappingNode):
                value = self.mapping(node, depth)
                children = [child for pair in node.value for child in pair]
            else:
                raise _unsupported_tag(node)
            self.open.discard(key)
            sizes = [self.sizes[id(child)] for child in children]
            size = (1 + sum(values for values, _ in sizes), 1 + max((levels for _, levels in sizes), default=0))
            if size[1] > MAX_DEPTH:
                raise _TreeProblem(node, TOO_DEEP)
            if size[0] > MAX_VALUES:
                raise _TreeProblem(node, TOO_MANY_ALIASED)
        self.built[key], self.sizes[key] = value, size
        return value

    def scalar(self, node: yaml.ScalarNode) -> object:
        bad = NOT_PRINTABLE.search(node.value)
        if bad:
            raise _TreeProblem(node, f"the value contains the control character #x{ord(bad.group()):04x} "
                                     "(written as an escape such as \\x01 or \\u0001); remove it")
        if node.tag == STR_TAG or node.tag == TIMESTAMP_TAG:  # dates stay as written ("2023-10"), never datetimes
            return node.value
        if node.tag not in SCALAR_TAGS:
            raise _unsupported_tag(node)
        try:
            return self.loader.yaml_constructors[node.tag](self.loader, node)
        except (ValueError, OverflowError):  # e.g. an integer of more than 4,300 digits
            raise yaml.constructor.ConstructorError(
                None, None, "this number is too long to read", node.start_mark
            ) from None

    def sequence(self, node: yaml.SequenceNode, depth: int) -> LineList:
        result = LineList(self.build(child, depth + 1) for child in node.value)
        result.line = self.line(node)
        result.item_lines = [self.line(child) for child in node.value]
        return result

    def mapping(self, node: yaml.MappingNode, depth: int) -> LineDict:
        # Keys written in this mapping (not merged in by '<<: *anchor'), so overriding a merged key is no repeat.
        own_keys = {id(key_node) for key_node, _ in node.value}
        if any(key_node.tag == MERGE_TAG for key_node, _ in node.value):
            _check_tree(node)  # PyYAML's merging recurses without looking: refuse cycles and depth first
            self.loader.flatten_mapping(node)
        result = LineDict()
        result.line = self.line(node)
        result.key_lines = {}
        result.duplicates = []
        own_seen: set[str] = set()
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                key = str(key)
            line = self.line(key_node)
            if id(key_node) in own_keys:
                if key in own_seen:
                    result.duplicates.append((key, result.key_lines[key], line))
                own_seen.add(key)
            result[key] = self.build(value_node, depth + 1)
            result.key_lines[key] = line
        return result


def _unsupported_tag(node: yaml.Node) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag {node.tag!r}",
                                             node.start_mark)


@dataclass(frozen=True)
class RawEntry:
    kind: str
    slug: str
    path: Path
    data: LineDict
    body: str = ""
    body_en: str = ""
    body_line: int = 0
    fields_digest: str = ""  # a hash of everything but the body: equal digests, entries that differ only in body


@dataclass
class Loaded:
    entries: list[RawEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    present: set[tuple[str, str]] = field(default_factory=set)  # (kind, slug) of every entry file, valid or not


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[object, list[Problem]]:
    """Parse YAML text; line numbers are shifted so they count from ``first_line`` in the file."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, []
            return _Builder(loader, first_line).build(node), []
        finally:
            loader.dispose()
    except _TreeProblem as problem:
        return None, [Problem(path, problem.node.start_mark.line + first_line, "yaml", problem.message)]
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


YAML_HINTS = (  # (words in PyYAML's message, what the editor should do)
    ("mapping values are not allowed", "put the value in quotes when it contains ': ' (e.g. note: \"A: B\"), "
                                       "or fix this line's indentation"),
    ("found undefined alias", "'*' starts a YAML alias; put the value in quotes if the '*' is part of the text"),
    ("could not determine a constructor", "remove the '!' tag, or put the value in quotes if '!' is part of "
                                          "the text"),
    ("recursive", "an '*alias' refers to the block it is in; remove it"),
    ("number is too long to read", "put it in quotes if it is text"),
    ("exceeded maximum nesting depth", f"values nest at most {MAX_DEPTH} levels deep; flatten this block"),
    ("but found another document", "an entry is one YAML document: remove the extra '---' line "
                                   "(a Markdown entry needs the .md extension)"),
)


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, path: Path, first_line: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "invalid YAML"
    if exc.context:
        what = f"{exc.context}, {what}"
    unclosed = exc.context and ("flow" in exc.context or "quoted" in exc.context) and "nesting" not in what
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


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file, or say why not; never blocks on a pipe and never reads more than the size limit."""
    try:
        # O_NONBLOCK: opening a named pipe (FIFO) must not wait for a writer; it is refused just below.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return None, [Problem(path, 1, "file", f"cannot read: {exc.strerror}")]
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return None, [Problem(path, 1, "file", "is not an ordinary file (a pipe, device or socket); "
                                  "entries must be ordinary text files — replace it or remove it")]
        if info.st_size > MAX_FILE_BYTES:
            return None, [Problem(path, 1, "file", _too_big(info.st_size))]
        raw = _read_at_most(handle, info.st_size, MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Problem(path, 1, "file", f"cannot read: {exc.strerror}")]
    finally:
        os.close(handle)
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(path, 1, "file", _too_big(len(raw)))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "encoding", f"file is not UTF-8{_guess_encoding(raw)}; save it as "
                              "UTF-8 (in Notepad: Save As → Encoding: UTF-8)")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        return None, [Problem(path, line, "file", f"the file contains the control character #x{ord(bad.group()):04x}, "
                              "which entries may not contain; delete it (it is often invisible: retype the line)")]
    return text, []


def _read_at_most(handle: int, expected: int, limit: int) -> bytes:
    """Up to ``limit`` bytes; one read() for an ordinary file, more if it grew or its size said 0 (/proc)."""
    chunks = [os.read(handle, min(expected, limit) or 65536)]
    total = len(chunks[0])
    while chunks[-1] and total < limit and (total != expected or expected == 0):
        chunks.append(os.read(handle, limit - total))
        total += len(chunks[-1])
    return b"".join(chunks)


def _too_big(size: int) -> str:
    more = "at least " if size == MAX_FILE_BYTES + 1 else ""
    return f"file is {more}{size:,} bytes; entries are limited to {MAX_FILE_BYTES:,} bytes — split it or move data out"


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
    return parse_entry(path, kind, text)


def parse_entry(path: Path, kind: str, text: str) -> tuple[RawEntry | None, list[Problem]]:
    """One entry from the text of its file (as :func:`read_text` gives it)."""
    if not text.strip():
        return None, [Problem(path, 1, "file", "file is empty; fill it in (see `python build.py new`) or delete it")]
    body, body_line, front = "", 0, text
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
    body = body.strip("\n")
    too_long = body_problem(path, body, body_line)
    if too_long:
        return None, [too_long]
    fields_digest = hashlib.blake2b(f"{path.suffix}\n{front}".encode(), digest_size=16).hexdigest()
    return RawEntry(kind, entry_slug(path), path, data, body, "", body_line, fields_digest), []


def body_problem(path: Path, body: str, line: int) -> Problem | None:
    """A body over :data:`MAX_BODY_BYTES` (rendering hostile Markdown takes time that grows faster than its size)."""
    size = len(body.encode("utf-8"))
    if size <= MAX_BODY_BYTES:
        return None
    return Problem(path, line, "body", f"the text is {size:,} bytes; a body is limited to {MAX_BODY_BYTES:,} bytes "
                   "— shorten it, or split it into several pages")


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


def unsafe_paths(root: Path) -> list[Problem]:
    """Symbolic links under ``root`` that lead outside it, and files that are not files (pipes, devices).

    Nothing is read from content until this is empty: a link to ``~/.ssh/id_rsa`` named as an entry would
    otherwise be published, and reading a pipe or ``/dev/zero`` never ends.
    """
    base = os.path.realpath(root)
    problems = []
    folders = [base]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:  # scandir: the kind of each name without a stat() call
                items = sorted(listing, key=lambda item: item.name)
        except OSError as exc:
            shown = Path(root) / os.path.relpath(folder, base)
            problems.append(Problem(shown, 1, "file", f"cannot read this folder: {exc.strerror}"))
            continue
        for item in items:
            if item.is_dir(follow_symlinks=False):
                if not item.name.startswith("."):  # hidden folders (.git) are never read
                    folders.append(item.path)
                continue
            if item.is_symlink():
                target = os.path.realpath(item.path)
                if os.path.commonpath([base, target]) != base:
                    problems.append(Problem(_shown(root, base, item), 1, "file", f"is a symbolic link to {target}, "
                                            "outside the content folder; copy what you need into the content "
                                            "folder instead"))
                    continue
            elif not item.is_file(follow_symlinks=False):
                problems.append(Problem(_shown(root, base, item), 1, "file", "is not an ordinary file (a pipe, "
                                        "device or socket); remove it from the content folder"))
    return sorted(problems)


def _is_folder(item: os.DirEntry) -> bool:
    try:
        return item.is_dir()
    except OSError:  # a link loop: not a folder; reading it as a file reports the reason
        return False


def _shown(root: Path, base: str, item: os.DirEntry) -> Path:
    """The path as the editor knows it: under the content folder as given, not as resolved."""
    return Path(root) / os.path.relpath(item.path, base)


def load_content(root: Path, reader: Callable[[Path, str], tuple[RawEntry | None, list[Problem]]] = load_file
                 ) -> Loaded:
    """Load every entry under ``root`` (the content folder); collect all problems.

    ``reader`` loads one file (``atlas.content.memo`` gives one that reuses what it parsed before).
    """
    loaded = Loaded()
    seen: dict[tuple[str, str], Path] = {}
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        translations: dict[str, Path] = {}
        with os.scandir(folder) as listing:  # scandir knows which names are folders without a stat() each
            names = sorted((item.name, _is_folder(item)) for item in listing)
        for name, is_dir in names:
            if name.startswith((".", "_", "#")) or name.endswith("~") or is_dir:
                continue
            path = folder / name
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
            if kind == "pages" and slug in RESERVED_PAGE_SLUGS:
                loaded.problems.append(Problem(path, 1, "slug", f"'{slug}' is the address of the site's own "
                                               f"{slug}/ pages, which this page would replace; rename the file "
                                               f"(e.g. to '{slug}-info.md')"))
                seen[(kind, slug)] = path
                continue
            if (kind, slug) in seen:
                loaded.problems.append(Problem(path, 1, "slug", f"'{slug}' is defined twice: here and in "
                                               f"{seen[(kind, slug)].name}; keep one file per slug"))
                continue
            seen[(kind, slug)] = path
            loaded.present.add((kind, slug))
            entry, problems = reader(path, kind)
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
        too_long = body_problem(path, text.strip("\n"), 1) if text is not None else None
        loaded.problems.extend(problems + ([too_long] if too_long else []))
        if text is not None and too_long is None:
            index = by_slug[slug]
            entry = loaded.entries[index]
            loaded.entries[index] = replace(entry, body_en=text.strip("\n"))
