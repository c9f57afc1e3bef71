"""Write a rendered site atomically: build beside the target, then swap; a failure leaves the old one."""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path, PurePosixPath

MARKER = ".atlas-build"  # written into every output folder, so we only ever replace our own builds


class OutputError(Exception):
    pass


def safe_relative(path: str) -> PurePosixPath:
    """Refuse output paths that would escape the output folder."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise OutputError(f"refusing to write '{path}': outside the output folder")
    return pure


def looks_like_our_build(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def write_site(files: dict[str, bytes], out: Path, force: bool = False, linked: Collection[str] = ()) -> None:
    """Write ``files`` into ``out`` as a whole: readers see the old site or the new one, never half.

    ``linked`` names files whose bytes are those already in ``out``: they are hard-linked, not rewritten.
    """
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another --out")
    recover_interrupted(out)
    if out.is_dir() and any(out.iterdir()) and not looks_like_our_build(out) and not force:
        raise OutputError(f"{out} is not empty and does not look like an atlas build (no {MARKER} file); "
                          "refusing to replace it — choose another --out, or pass --force if you are sure")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    try:
        half = len(files) // 2
        folders = {staging}
        for index, (name, data) in enumerate(files.items()):
            if index == half:
                checkpoint("writing")
            target = staging / safe_relative(name)
            if target.parent not in folders:  # one mkdir per folder, not per file
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            if name not in linked or not _link(out / name, target):
                target.write_bytes(data)
        (staging / MARKER).write_text("built by the Qingdao Project Atlas\n", encoding="utf-8")
        checkpoint("swapping")
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:  # another file system, or a file system without hard links: write the bytes instead
        return False


def swap_into_place(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` in one step where the system can (Linux), else with two renames.

    The old folder is removed afterwards; a build killed between the two renames is repaired by the
    next one (``recover_interrupted``).
    """
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the old site
    else:
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            os.replace(out, old)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def recover_interrupted(out: Path) -> None:
    """Undo what a build killed mid-way left: put back a moved-away old site, remove dead builds' folders."""
    if not out.exists():
        olds = sorted(out.parent.glob(f".{out.name}.old-*"), key=lambda p: p.stat().st_mtime)
        if olds and looks_like_our_build(olds[-1]):
            os.replace(olds[-1], out)
    for leftover in out.parent.glob(f".{out.name}.new-*"):
        pid = leftover.name.removeprefix(f".{out.name}.new-").split("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (so its temporary files are still being written)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is not possible."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    return renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0


def checkpoint(name: str) -> None:
    """A named point of the build where tests may pause it to kill it (tests/test_interrupted.py); inert otherwise."""
    if os.environ.get("ATLAS_TEST_PAUSE_AT") == name:
        print(f"paused at {name}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("ATLAS_TEST_PAUSE_SECONDS", "60")))
