"""Writing the site: atomic swap, refusal to replace folders that are not ours, the `new` command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from atlas.output import MARKER, OutputError, write_site
from tests.conftest import ROOT


def test_write_replaces_a_previous_build_whole(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"one", "old/index.html": b"stale"}, out)
    write_site({"index.html": b"two"}, out)
    assert (out / "index.html").read_bytes() == b"two"
    assert not (out / "old").exists()
    assert (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old folders left


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(OutputError, match="does not look like an atlas build"):
        write_site({"index.html": b"x"}, home)
    assert (home / "thesis.docx").read_bytes() == b"precious"
    write_site({"index.html": b"x"}, home, force=True)
    assert not (home / "thesis.docx").exists()


def test_refuses_paths_outside_the_output(tmp_path):
    with pytest.raises(OutputError):
        write_site({"../escape.html": b"x"}, tmp_path / "site")
    assert not (tmp_path / "escape.html").exists()
    assert not (tmp_path / "site").exists()


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_new_scaffolds_an_entry_that_names_its_fields(mini_content):
    result = run_cli("new", "project", "harbour-crane", "--content", str(mini_content))
    assert result.returncode == 0, result.stderr
    created = mini_content / "projects" / "harbour-crane.md"
    assert "status: unspecified" in created.read_text(encoding="utf-8")
    again = run_cli("new", "project", "harbour-crane", "--content", str(mini_content))
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = run_cli("new", "park", "Bad Slug", "--content", str(mini_content))
    assert bad.returncode == 2 and "'Bad Slug' is not a valid slug" in bad.stderr


def test_build_prints_one_summary_line_and_quiet_prints_nothing(mini_content, tmp_path):
    result = run_cli("build", "--content", str(mini_content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Built ") and " pages " in lines[0] and lines[0].endswith(" s")
    quiet = run_cli("build", "--quiet", "--content", str(mini_content), "--out", str(tmp_path / "site"))
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_drafts_are_published_only_with_the_flag(mini_content, tmp_path):
    fund = mini_content / "projects" / "fund.yaml"
    fund.write_text(fund.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    assert run_cli("build", "--quiet", "--content", str(mini_content), "--out", str(tmp_path / "a")).returncode == 0
    assert not (tmp_path / "a" / "projects" / "fund").exists()
    assert run_cli("build", "--quiet", "--drafts", "--content", str(mini_content),
                   "--out", str(tmp_path / "b")).returncode == 0
    assert (tmp_path / "b" / "projects" / "fund" / "index.html").is_file()
