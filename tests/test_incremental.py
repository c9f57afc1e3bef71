"""Incremental builds through the persistent cache equal a clean full build, byte for byte, after every edit."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

from atlas import cache as atlas_cache
from atlas.paths import STATIC_DIR, TEMPLATES_DIR
from atlas.pipeline import build, load_atlas, render, url_mode
from atlas.render import assets as render_assets
from atlas.render import pool
from atlas.render import site as render_site_module

BASE_URL = "https://example.org/atlas/"
NEW_PROJECT = """name: 新增的测试项目
chain: display
chain_basis: implied
park: display-park
park_basis: implied
status: signed
sources:
  - source: test-daily
    quote: 背光模组签约
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


@pytest.fixture
def setup(tmp_path, mini_content, monkeypatch):
    """Templates and static files copied into the test folder, so a test can edit them."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static)
    monkeypatch.setattr(render_site_module, "static_files",
                        functools.partial(render_assets.static_files, static_dir=static))
    monkeypatch.setattr(atlas_cache, "CODE_PARTS",
                        tuple(static if part == STATIC_DIR else part for part in atlas_cache.CODE_PARTS))
    return mini_content, templates, static, tmp_path


def step(setup, label: str, expect_reuse: bool | None = None):
    content, templates, _, tmp_path = setup
    out = tmp_path / "inc" / "site"
    result = build(content, out, base_url=BASE_URL, templates=templates)
    clean = tmp_path / f"clean-{label}" / "site"
    build(content, clean, base_url=BASE_URL, templates=templates, cache=False)
    incremental, full = tree(out), tree(clean)
    assert incremental.keys() == full.keys(), f"{label}: extra {incremental.keys() - full.keys()}, " \
                                              f"missing {full.keys() - incremental.keys()}"
    different = [name for name in full if incremental[name] != full[name]]
    assert not different, f"{label}: differs from a clean build in {different[:5]}"
    if expect_reuse is not None:
        assert (result.rendered is not None and result.rendered < result.pages) == expect_reuse, \
            f"{label}: rendered {result.rendered} of {result.pages} pages"
    shutil.rmtree(clean.parent)
    return result


def test_incremental_builds_equal_clean_builds_after_every_edit(setup):
    content, templates, static, _ = setup
    first = step(setup, "first build")
    assert first.rendered is None  # nothing to reuse yet

    nothing = step(setup, "nothing changed")
    assert nothing.atlas is None and nothing.pages == first.pages  # the cache said: up to date, nothing loaded

    (content / "projects" / "added.yaml").write_text(NEW_PROJECT, encoding="utf-8")
    step(setup, "entry added")

    body = content / "projects" / "panel-plant.md"
    body.write_text(body.read_text(encoding="utf-8") + "\n补充一句正文。\n", encoding="utf-8")
    result = step(setup, "entry body changed", expect_reuse=True)
    # its own page in each language, and the search pages (they link the search index, renamed as its hash changed)
    assert result.rendered <= 4, f"a body edit rendered {result.rendered} pages"

    english = content / "projects" / "panel-plant.en.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    result = step(setup, "English body changed", expect_reuse=True)
    assert result.rendered <= 4, f"an English body edit rendered {result.rendered} pages"

    body.write_text(body.read_text(encoding="utf-8").replace("name: 面板工厂", "name: 新面板工厂", 1), encoding="utf-8")
    step(setup, "entry name changed", expect_reuse=True)

    backlight = content / "projects" / "backlight.yaml"
    backlight.write_text(backlight.read_text(encoding="utf-8").replace("status: signed", "status: started"),
                         encoding="utf-8")
    step(setup, "entry status changed")

    (content / "projects" / "added.yaml").rename(content / "projects" / "renamed.yaml")
    step(setup, "entry renamed")

    (content / "projects" / "renamed.yaml").unlink()
    result = step(setup, "entry deleted")
    assert not any("renamed" in name or "added" in name for name in result.files)

    chain_template = templates / "chain.html"
    chain_template.write_text(chain_template.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    step(setup, "page template changed", expect_reuse=True)

    for partial in ("partials/map.html", "partials/map_assets.html"):  # shown through Python, not by an include
        path = templates / partial
        path.write_text(path.read_text(encoding="utf-8").replace('href="{{ url }}">', 'href="{{ url }}" data-e>'),
                        encoding="utf-8")
        step(setup, f"{partial} changed", expect_reuse=False)

    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- base edited --></body>"),
                    encoding="utf-8")
    step(setup, "base template changed", expect_reuse=False)

    settings = content / "atlas.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("title: ", "title: 改过的", 1), encoding="utf-8")
    step(setup, "atlas.yaml changed", expect_reuse=False)

    css = next(static.rglob("*.css"))
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    step(setup, "static file changed", expect_reuse=False)

    step(setup, "nothing changed again")


def test_a_page_edited_by_hand_is_rebuilt(setup):
    content, templates, _, tmp_path = setup
    out = tmp_path / "site"
    build(content, out, templates=templates)
    page = out / "projects" / "backlight" / "index.html"
    original = page.read_bytes()
    page.write_bytes(b"scribbled")
    (out / "stray.html").write_bytes(b"not ours")
    result = build(content, out, templates=templates)
    assert result.atlas is not None  # the cache saw the output was touched: not "up to date"
    assert page.read_bytes() == original
    assert not (out / "stray.html").exists()


def test_parallel_rendering_gives_the_same_bytes_in_the_same_order(mini_content, monkeypatch):
    atlas = load_atlas(mini_content)
    mode = url_mode(atlas, "published", BASE_URL)
    serial = render(atlas, mode, workers=1)
    monkeypatch.setattr(pool, "MIN_PAGES", 1)  # the mini atlas is far below the real threshold
    monkeypatch.setattr(pool, "CHUNK", 3)
    monkeypatch.setattr(pool, "_serial", lambda *args: pytest.fail("rendered in-process, not by the workers"))
    parallel = render(atlas, mode, workers=2)
    assert list(parallel) == list(serial)
    assert parallel == serial


def test_the_cache_file_gives_back_every_field_it_was_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    key = atlas_cache.build_key(tmp_path / "content")
    record = atlas_cache.Record(key=key, inputs={"content/a.md": "h1"}, outputs={"index.html": (10, 20, 30)},
                                assets={"static/css/atlas.css": "static/css/atlas.0123.css"},
                                input_stats={"content/a.md": [1, 2, "h1"]}, snapshot={"entries": ["x"]})
    atlas_cache.save(out, record)
    assert atlas_cache.load(out, key) == (record, None)
