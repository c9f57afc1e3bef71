"""The rule of atlas.incremental, checked against two full renders: every page that differs is one the rule redoes.

A narrower rule (a body-only edit redoes only its entry's own pages) is only safe if no other page shows a body;
these tests render the whole site before and after each edit and compare every page.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

from atlas.content.memo import ParseMemo
from atlas.incremental import Snapshot, change_since, what_changed
from atlas.pipeline import load_atlas, render, url_mode
from atlas.render.urls import UrlMode

BASE_URL = "https://example.org/atlas/"


def append_to_body(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n再补充一段正文，带一个 **强调**。\n", encoding="utf-8")


def replace_text(old: str, new: str):
    def edit(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


# (file edited, the edit, whether the rule may leave the shared pages alone)
EDITS = {
    "project body": ("projects/panel-plant.md", append_to_body, True),
    "project English body": ("projects/panel-plant.en.md", append_to_body, True),
    "park body": ("parks/display-park.md", append_to_body, True),
    "chain body": ("chains/display.md", append_to_body, True),
    "project name": ("projects/panel-plant.md", replace_text("name: 面板工厂", "name: 新面板工厂"), False),
    "project status": ("projects/backlight.yaml", replace_text("status: signed", "status: in_operation"), False),
}


def differing_pages(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path for path in after.keys() | before.keys()
            if path.endswith(".html") and before.get(path) != after.get(path)}


def renamed_assets(before: dict[str, bytes], after: dict[str, bytes]) -> set[bytes]:
    """Names of hashed files that only one of the two renders has (a page linking one must be redone)."""
    return {Path(path).name.encode() for path in before.keys() ^ after.keys() if "/static/" in f"/{path}"}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
@pytest.mark.parametrize("mode_name", ["published", "preview"])
def test_every_page_an_edit_changes_is_one_the_rule_redoes(mini_content, edit, mode_name):
    relative, apply, body_only = EDITS[edit]
    path = mini_content / relative
    old_atlas = load_atlas(mini_content)
    mode = url_mode(old_atlas, "published", BASE_URL) if mode_name == "published" else UrlMode("preview")
    old_files = render(old_atlas, mode)
    apply(path)
    new_atlas = load_atlas(mini_content)
    new_files = render(new_atlas, mode)
    changed = differing_pages(old_files, new_files)
    assert changed, f"{edit}: the edit changed no page, so it tests nothing"

    by_files = what_changed(old_atlas, new_atlas, [path], mini_content, hashed_assets=mode.hashed_assets)
    by_cache = change_since(Snapshot.of(old_atlas), Snapshot.of(new_atlas), [f"content/{relative}"])
    renamed = renamed_assets(old_files, new_files)
    for change in (by_files, by_cache):
        assert not (body_only and change.everything), f"{edit}: {change.reason}"
        assert change.shared is not body_only, f"{edit}: {change.reason}"
        missed = {page for page in changed if not change.affects(page)
                  and not any(name in old_files.get(page, b"") for name in renamed)}
        assert not missed, f"{edit}: the rule ({change.reason}) would keep stale pages {sorted(missed)}"
    if body_only:
        kind, slug = relative.split("/")[0], Path(relative).name.split(".")[0]
        assert by_files.entries == by_cache.entries == {(kind, slug)}


def test_a_memo_gives_the_same_atlas_and_parses_only_changed_files(mini_content):
    memo = ParseMemo()
    first = load_atlas(mini_content, parses=memo)
    assert memo.changed and len(memo.files) > 5
    again = load_atlas(mini_content, parses=memo)
    assert not memo.changed  # nothing parsed anew
    assert again.projects == first.projects and again.content.fields_digests == first.content.fields_digests

    append_to_body(mini_content / "projects" / "panel-plant.md")
    (mini_content / "projects" / "backlight.yaml").unlink()
    edited = load_atlas(mini_content, parses=memo)
    fresh = load_atlas(mini_content)
    assert edited.projects == fresh.projects
    assert edited.content.fields_digests == fresh.content.fields_digests
    assert not any("backlight" in key for key in memo.files)  # forgotten: a long preview does not grow

    restored = ParseMemo.from_bytes(memo.dump())
    assert load_atlas(mini_content, parses=restored).projects == fresh.projects
    assert not restored.changed  # every file came from the saved memo


def test_a_damaged_or_planted_memo_is_ignored(mini_content):
    memo = ParseMemo()
    load_atlas(mini_content, parses=memo)
    saved = memo.dump()
    header, _, body = saved.partition(b"\n")
    assert ParseMemo.from_bytes(header + b"\n" + body[:-10]).files == {}  # truncated: the hash no longer matches
    planted = pickle.dumps({"x": os.getcwd}, protocol=pickle.HIGHEST_PROTOCOL)  # names a function to call
    digest = hashlib.blake2b(planted, digest_size=16).hexdigest().encode()
    forged = b" ".join(header.split(b" ")[:2] + [digest]) + b"\n" + planted
    assert ParseMemo.from_bytes(forged).files == {}
