"""Write a rendered site atomically: build beside the target, then swap; a failure leaves the old one."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def write_site(files: dict[str, bytes], out: Path, force: bool = False) -> None:
    """Write ``files`` into ``out`` as a whole: readers see the old site or the new one, never half."""
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not looks_like_our_build(out) and not force:
        raise OutputError(f"{out} is not empty and does not look like an atlas build (no {MARKER} file); "
                          "refusing to replace it — choose another --out, or pass --force if you are sure")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name, data in files.items():
            target = staging / safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / MARKER).write_text("built by the Qingdao Project Atlas\n", encoding="utf-8")
        swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_into_place(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with two renames; the old folder is removed afterwards."""
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
