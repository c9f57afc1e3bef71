"""The persistent build cache: what the last build was made from and what it wrote.

One file per output folder, ``.atlas-cache/<out name>-<hash of its path>.json`` in the folder the build
runs from (for ``make build``: beside ``site/``). It holds a content
hash of every input (content files, templates, and the code, static files and catalogs that every
page depends on), the size, mtime and inode of every file written, the asset names pages link to,
and the entries' relations (``atlas.incremental.Snapshot``). The file starts with a header naming
the format version and a hash of the rest: a truncated, damaged, foreign or older cache is
discarded with a note, never trusted. It is replaced atomically, and removed before the output
folder is swapped, so a build killed at any moment leaves either no cache or one that matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from stat import S_ISREG

from atlas.output import MARKER, process_alive
from atlas.paths import PROJECT_ROOT, STATIC_DIR, TEMPLATES_DIR

VERSION = 2  # 2: input_stats and snapshot stored under their own names (1 had them swapped)
FOLDER = ".atlas-cache"
KEPT = 16  # cache files kept in the folder, the most recently written
MAGIC = "atlas-build-cache"
CODE_PARTS = (PROJECT_ROOT / "atlas", STATIC_DIR, PROJECT_ROOT / "locales", PROJECT_ROOT / "package-lock.json")

Stat = tuple[int, int, int]  # size, mtime in ns, inode: a file we wrote and nobody touched since


@dataclass
class Record:
    key: dict  # what the build was asked for: content folder, mode, base URL, drafts
    inputs: dict[str, str]  # "content/…", "templates/…", "code/…" → content hash
    outputs: dict[str, Stat]  # output path → stat when written
    assets: dict[str, str] = field(default_factory=dict)  # static path → name written (hashed names)
    input_stats: dict[str, list] = field(default_factory=dict)  # input → [size, mtime ns, hash]: unread if same
    snapshot: dict = field(default_factory=dict)  # atlas.incremental.Snapshot as plain data


def build_key(content_dir: Path, templates: Path = TEMPLATES_DIR, mode: str = "published",
              base_url: str | None = None, drafts: bool = False) -> dict:
    """What a build was asked for; a cache made for another request is not used."""
    return {"content": str(Path(content_dir).resolve()), "templates": str(Path(templates).resolve()), "mode": mode,
            "base_url": base_url, "drafts": drafts}


def cache_file(out: Path) -> Path:
    """Where the cache of ``out`` lives: ``.atlas-cache/`` in the folder the build runs from (as .pytest_cache),
    never beside an output folder that may be anywhere (``--out ~/www`` must not write into ``~``)."""
    out = Path(out).resolve()
    tag = hashlib.blake2b(os.fsencode(out), digest_size=6).hexdigest()
    return Path.cwd() / FOLDER / f"{out.name}-{tag}.json"


def memo_file(out: Path) -> Path:
    """Where the entries parsed for ``out``'s last build are kept (``atlas.content.memo``): beside its cache."""
    return cache_file(out).with_suffix(".parsed")


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


MAX_HASHED_BYTES = 64_000_000  # above every input limit (entries 2 MB, outlines 20 MB)


def input_digests(content_dir: Path, templates: Path = TEMPLATES_DIR,
                  known: dict[str, list] | None = None) -> tuple[dict[str, str], dict[str, list]]:
    """A hash of every file a build reads, named by group (content/, templates/ or code/); and their stats.

    A file whose size and modification time (in ns) are those in ``known`` keeps its known hash unread,
    as git's index does; only files unchanged for two seconds are recorded so (the "racy git" rule).
    """
    found: dict[str, str] = {}
    stats: dict[str, list] = {}
    known = known or {}
    for group, root in (("content", Path(content_dir)), ("templates", Path(templates))):
        _tree_digests(root, group, found, stats, known)
    for part in CODE_PARTS:
        if part.is_file():
            found[f"code/{part.name}"] = digest(part.read_bytes())
        elif part.is_dir():
            _tree_digests(part, f"code/{part.name}", found, stats, known, skip=("__pycache__",))
    return found, stats


def _tree_digests(root: Path, group: str, found: dict[str, str], stats: dict[str, list], known: dict[str, list],
                  skip: tuple[str, ...] = ()) -> None:
    settled = time.time_ns() - 2_000_000_000
    for folder, names, files in os.walk(root):
        names[:] = sorted(n for n in names if not n.startswith(".") and n not in skip)
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = f"{group}/" if relative == "." else f"{group}/{relative}/"
        for name in files:
            if name.endswith((".pyc", ".mo")):
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
                stat = [info.st_size, info.st_mtime_ns]
                seen = known.get(prefix + name)
                if seen and seen[:2] == stat:
                    found[prefix + name] = seen[2]
                elif not S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
                    # a pipe, a device or a file far beyond any limit: never read here (the loader refuses
                    # it with a message); its kind, size and time still make the build run again
                    found[prefix + name] = f"unread:{info.st_mode:o}:{info.st_size}:{info.st_mtime_ns}"
                else:
                    with open(path, "rb") as handle:
                        found[prefix + name] = digest(handle.read())
                if stat[1] < settled:  # a file changed within the clock's granularity could change unseen
                    stats[prefix + name] = [*stat, found[prefix + name]]
            except OSError:  # unreadable: the loader reports it; the build must not be skipped
                found[prefix + name] = "unreadable"


def scan_outputs(out: Path) -> dict[str, Stat]:
    """Every file under ``out`` with its stat (the build marker aside)."""
    found: dict[str, Stat] = {}
    folders = [(Path(out), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            listing = list(os.scandir(folder))
        except OSError:
            continue
        for item in listing:
            if item.is_dir(follow_symlinks=False):
                folders.append((Path(item.path), f"{prefix}{item.name}/"))
            elif item.name != MARKER or prefix:
                info = item.stat(follow_symlinks=False)
                found[prefix + item.name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return found


def load(out: Path, key: dict) -> tuple[Record | None, str | None]:
    """The cache of ``out`` if it is whole, of this version and for this build; else None and why."""
    path = cache_file(out)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, f"build cache {path} unreadable ({error.strerror}); building everything"
    header, _, body = raw.partition(b"\n")
    parts = header.split(b" ")
    if len(parts) != 3 or parts[0] != MAGIC.encode():
        return None, f"build cache {path} is damaged (no header); discarded, building everything"
    if parts[1] != str(VERSION).encode():
        return None, f"build cache {path} is from another version; discarded, building everything"
    if parts[2] != digest(body).encode():
        return None, f"build cache {path} is damaged (hash mismatch); discarded, building everything"
    try:
        data = json.loads(body)
        record = Record(key=data["key"], inputs=data["inputs"],
                        outputs={p: tuple(s) for p, s in data["outputs"].items()}, assets=data["assets"],
                        input_stats=data["input_stats"], snapshot=data["snapshot"])
    except (ValueError, KeyError, TypeError):
        return None, f"build cache {path} is damaged (bad data); discarded, building everything"
    if record.key != key:
        return None, None  # another content folder or other options: simply not ours to reuse
    if not all(isinstance(v, list) and len(v) == 3 for v in record.input_stats.values()):
        return None, f"build cache {path} is damaged (bad data); discarded, building everything"
    return record, None


def save(out: Path, record: Record) -> None:
    """Write the cache atomically (a temporary file, then a rename)."""
    path = cache_file(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(asdict(record), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):  # from a build killed while saving
        pid = leftover.name.removeprefix(f".{path.name}.").split(".")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(f"{MAGIC} {VERSION} {digest(body)}\n".encode() + body)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the caches of the :data:`KEPT` outputs built last (test runs build into many temporary folders)."""
    caches = []
    for path in folder.glob("*.json"):
        try:
            caches.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(caches, reverse=True)[KEPT:]:
        path.unlink(missing_ok=True)
        path.with_suffix(".parsed").unlink(missing_ok=True)


def forget(out: Path) -> None:
    """Remove the cache of ``out`` (before the folder it describes is replaced)."""
    cache_file(out).unlink(missing_ok=True)
