"""Builds killed at any moment (kill -9) leave the previous site and zip whole; a damaged cache is never trusted."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from atlas import cache as atlas_cache
from atlas.output import MARKER, recover_interrupted, write_site
from atlas.pipeline import build
from tests.conftest import ROOT

BASE_URL = "https://example.org/atlas/"


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def clean_build_hash(content: Path, tmp_path: Path) -> str:
    out = tmp_path / "clean" / "site"
    build(content, out, base_url=BASE_URL, cache=False)
    return tree_hash(out)


def edit(content: Path, words: str) -> None:
    page = content / "projects" / "panel-plant.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


def run_killed(command: list[str], point: str) -> None:
    """Run ``command`` with the build paused at ``point``; kill -9 it there."""
    env = {**os.environ, "ATLAS_TEST_PAUSE_AT": point, "ATLAS_TEST_PAUSE_SECONDS": "60"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    try:
        for line in process.stderr:
            if line.strip() == f"paused at {point}":
                break
        else:
            pytest.fail(f"the build ended without reaching '{point}' (exit {process.wait()})")
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def build_command(content: Path, out: Path) -> list[str]:
    return [sys.executable, "build.py", "build", "--content", str(content), "--out", str(out),
            "--base-url", BASE_URL, "--quiet"]


@pytest.mark.parametrize("point, finished", [("rendered", False), ("writing", False), ("swapping", False),
                                             ("swapped", True)])
def test_a_build_killed_leaves_the_old_site_or_the_whole_new_one(mini_content, tmp_path, point, finished):
    out = tmp_path / "out" / "site"
    build(mini_content, out, base_url=BASE_URL)
    before = tree_hash(out)
    edit(mini_content, f"killed at {point}")
    run_killed(build_command(mini_content, out), point)
    after = clean_build_hash(mini_content, tmp_path)
    assert tree_hash(out) == (after if finished else before)
    result = build(mini_content, out, base_url=BASE_URL)  # no clean-up by hand
    assert tree_hash(out) == after
    assert result.atlas is not None  # it built (the cache of a killed build is never taken as up to date)
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no staging folder left beside it
    assert atlas_cache.load(out, atlas_cache.build_key(mini_content, base_url=BASE_URL))[0] is not None  # saved again


def test_a_bundle_killed_mid_zip_leaves_the_old_zip(mini_content, tmp_path):
    zip_path = tmp_path / "dist" / "atlas.zip"
    command = [sys.executable, "build.py", "bundle", "--content", str(mini_content), "--out", str(zip_path),
               "--quiet"]
    subprocess.run(command, cwd=ROOT, check=True)
    before = zip_path.read_bytes()
    edit(mini_content, "killed while zipping")
    run_killed(command, "zipping")
    assert zip_path.read_bytes() == before
    assert len(list(zip_path.parent.iterdir())) == 2  # the zip and the half-written one of the killed run
    subprocess.run(command, cwd=ROOT, check=True)
    assert zip_path.read_bytes() != before
    assert [p.name for p in zip_path.parent.iterdir()] == ["atlas.zip"]  # the dead run's file was removed


def test_a_folder_moved_away_by_a_killed_swap_is_put_back(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)
    out.rename(tmp_path / ".site.old-4242")  # killed between the two renames of a system without exchange
    recover_interrupted(out)
    assert (out / "index.html").read_bytes() == b"old" and (out / MARKER).is_file()


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "valid header, wrong hash", "older version"])
def test_a_damaged_cache_is_discarded_with_a_note(mini_content, tmp_path, damage):
    out = tmp_path / "site"
    build(mini_content, out, base_url=BASE_URL)
    path = atlas_cache.cache_file(out)
    raw = path.read_bytes()
    damaged = {
        "truncated": raw[: len(raw) // 2],
        "random bytes": os.urandom(len(raw)),
        "valid header, wrong hash": raw.replace(b'"projects"', b'"projectz"', 1),
        "older version": raw.replace(f"{atlas_cache.MAGIC} {atlas_cache.VERSION} ".encode(),
                                     f"{atlas_cache.MAGIC} 0 ".encode(), 1),
    }[damage]
    assert damaged != raw
    path.write_bytes(damaged)
    edit(mini_content, "after the damage")
    result = build(mini_content, out, base_url=BASE_URL)
    assert any("discarded" in note for note in result.notes), result.notes
    assert result.rendered is None  # nothing was reused on the damaged cache's word
    assert tree_hash(out) == clean_build_hash(mini_content, tmp_path)


def test_a_cache_of_another_content_folder_is_not_used(mini_content, tmp_path):
    out = tmp_path / "site"
    build(mini_content, out, base_url=BASE_URL)
    other = tmp_path / "other"
    shutil.copytree(mini_content, other)
    edit(other, "another folder")
    result = build(other, out, base_url=BASE_URL)
    assert result.atlas is not None and result.rendered is None
    assert tree_hash(out) == clean_build_hash(other, tmp_path)


def test_files_deleted_from_the_site_by_hand_are_written_again(mini_content, tmp_path):
    out = tmp_path / "site"
    build(mini_content, out, base_url=BASE_URL)
    expected = tree_hash(out)
    (out / "projects" / "backlight" / "index.html").unlink()
    (out / "index.html").unlink()
    build(mini_content, out, base_url=BASE_URL)
    assert tree_hash(out) == expected
