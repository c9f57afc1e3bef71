"""Entry files parsed before, kept so that a rebuild parses only the files that changed.

Parsing the YAML of 10,000 entries takes most of a load (~1.3 ms a file); an edit touches one. A file
whose size, modification time and inode are those recorded keeps its parse, as git's index does, once
it has been unchanged for two seconds (a file changed within the clock's granularity could change
unseen: the "racy git" rule); any other file is read, and its parse is kept if its text hashes the
same. The preview server keeps one memo in memory; ``build`` keeps one on disk beside its build
cache (``atlas.cache``), written only by us: a damaged or foreign file is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from atlas.content import load
from atlas.content.entries import build_entry
from atlas.content.fields import Checker
from atlas.problems import Problem

MAGIC = b"atlas-parsed"
CODE = Path(load.__file__)  # the parser: a memo made by another version of it is not used
SETTLED_NS = 2_000_000_000


@dataclass(frozen=True)
class Parsed:
    stamp: tuple[int, int, int]  # size, mtime ns, inode when read
    digest: str  # of the text parsed
    settled: bool  # unchanged for SETTLED_NS when read: its stamp alone says it is the same
    entry: load.RawEntry | None
    problems: tuple[Problem, ...]


class ParseMemo:
    """A ``reader`` for :func:`atlas.content.load.load_content` that reuses earlier parses."""

    def __init__(self, files: dict[str, Parsed] | None = None):
        self.files: dict[str, Parsed] = files or {}
        self.built: dict[tuple[str, str], tuple] = {}  # (kind, slug) → (raw, district names, entry, problems)
        self.used: set[str] = set()
        self.used_entries: set[tuple[str, str]] = set()
        self.changed = False  # since ``start``: a file parsed anew or one forgotten (worth saving again)

    def start(self) -> None:
        """Begin a load: forget which files the last one used."""
        self.used, self.used_entries, self.changed = set(), set(), False

    def build_entry(self, raw: load.RawEntry, check: Checker, districts: Iterable[str]) -> object | None:
        """:func:`atlas.content.entries.build_entry`, reusing the entry built from an equal ``raw`` (in memory only)."""
        names = tuple(districts)
        known = self.built.get((raw.kind, raw.slug))
        if known is not None and known[1] == names and (known[0] is raw or known[0] == raw):
            check.problems.extend(known[3])
            return known[2]
        before = len(check.problems)
        entry = build_entry(raw, check, names)
        self.built[(raw.kind, raw.slug)] = (raw, names, entry, tuple(check.problems[before:]))
        return entry

    def __call__(self, path: Path, kind: str) -> tuple[load.RawEntry | None, list[Problem]]:
        key = f"{kind}\0{path}"
        self.used.add(key)
        self.used_entries.add((kind, load.entry_slug(path)))
        try:
            info = os.stat(path)
        except OSError:
            return load.load_file(path, kind)
        stamp = (info.st_size, info.st_mtime_ns, info.st_ino)
        known = self.files.get(key)
        if known is not None and known.settled and known.stamp == stamp:
            return known.entry, list(known.problems)
        if not stat.S_ISREG(info.st_mode):
            return load.load_file(path, kind)  # says what is wrong with it
        text, problems = load.read_text(path)
        if text is None:  # unreadable, not UTF-8, too big: nothing to keep
            return None, problems
        digest = _digest(text.encode("utf-8", "surrogatepass"))
        settled = stamp[1] < time.time_ns() - SETTLED_NS
        if known is not None and known.digest == digest:
            self.files[key] = Parsed(stamp, digest, settled, known.entry, known.problems)
            return known.entry, list(known.problems)
        entry, problems = load.parse_entry(path, kind, text)
        self.changed = True
        self.files[key] = Parsed(stamp, digest, settled, entry, tuple(problems))
        return entry, problems

    def forget_unused(self) -> None:
        """Drop the files the last load did not read (removed, renamed): a long preview session must not grow."""
        kept = {key: parsed for key, parsed in self.files.items() if key in self.used}
        self.changed |= len(kept) != len(self.files)
        self.files = kept
        self.built = {key: built for key, built in self.built.items() if key in self.used_entries}

    def dump(self) -> bytes:
        """The files the last load used, as bytes for :meth:`from_bytes`."""
        kept = {key: self.files[key] for key in self.used if key in self.files}
        body = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        return b" ".join((MAGIC, _code_version().encode(), _digest(body).encode())) + b"\n" + body

    @classmethod
    def from_bytes(cls, raw: bytes) -> ParseMemo:
        """A memo from :meth:`dump`'s bytes; an empty one if they are damaged or from another parser."""
        header, _, body = raw.partition(b"\n")
        if header != b" ".join((MAGIC, _code_version().encode(), _digest(body).encode())):
            return cls()
        try:
            files = _Unpickler(io.BytesIO(body)).load()
        except Exception:  # noqa: BLE001 - whatever is wrong with it, parsing again is always right
            return cls()
        return cls(files) if isinstance(files, dict) else cls()


def read(path: Path) -> ParseMemo:
    """The memo saved at ``path``, or an empty one."""
    try:
        return ParseMemo.from_bytes(Path(path).read_bytes())
    except OSError:
        return ParseMemo()


def write(memo: ParseMemo, path: Path) -> None:
    """Save ``memo`` at ``path`` atomically (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(memo.dump())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@functools.cache
def _code_version() -> str:
    try:
        return _digest(CODE.read_bytes() + Path(__file__).read_bytes())[:16]
    except OSError:
        return "unknown"


class _Unpickler(pickle.Unpickler):
    """Builds only the classes a memo holds: a planted file cannot make unpickling run anything else."""

    ALLOWED = {("atlas.content.memo", "Parsed"), ("atlas.content.load", "RawEntry"),
               ("atlas.content.load", "LineDict"), ("atlas.content.load", "LineList"),
               ("atlas.problems", "Problem"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
               ("pathlib", "Path"), ("pathlib._local", "PosixPath"), ("pathlib._local", "WindowsPath")}  # 3.13

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a parse memo")
        return super().find_class(module, name)
