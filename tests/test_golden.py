"""A golden build of the mini atlas, compared file by file (like Pelican's tests/output).

After an intended change to the pages, regenerate with: UPDATE_GOLDEN=1 pytest tests/test_golden.py
and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from atlas.pipeline import build

GOLDEN = Path(__file__).parent / "golden" / "mini"
# Generated pages and our own generated data; copied files (CSS, vendor libraries) are not golden.
COMPARED_SUFFIXES = (".html", ".xml", ".txt", ".json", ".csv", ".geojson")


def compared(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items()
            if name.endswith(COMPARED_SUFFIXES) and not name.startswith("static/vendor/")}


def test_mini_atlas_matches_golden_files(mini_content, tmp_path):
    result = build(mini_content, tmp_path / "site", mode="preview")
    built = compared(result.files)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in built.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(built) == sorted(expected), "the set of generated files changed"
    for name in sorted(expected):
        if built[name] != expected[name]:
            diff = difflib.unified_diff(expected[name].decode().splitlines(), built[name].decode().splitlines(),
                                        f"golden/{name}", f"built/{name}", lineterm="", n=2)
            raise AssertionError(f"{name} differs from the golden file:\n" + "\n".join(list(diff)[:60]))


def test_build_is_deterministic(mini_content, tmp_path):
    first = build(mini_content, None, mode="preview").files
    second = build(mini_content, None, mode="preview").files
    assert first == second
