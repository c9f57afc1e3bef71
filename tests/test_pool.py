"""How many processes render a large site, and that they give the bytes one process gives."""

from __future__ import annotations

import gc
import os

import pytest

from atlas import collector
from atlas.render import pool


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.delenv("ATLAS_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


@pytest.mark.parametrize(("running", "workers"), [("1/80", 2), ("2/80", 1), ("5/300", 1)])
def test_workers_follow_the_tasks_running_now_not_the_lagging_load_average(two_cores, tmp_path, monkeypatch,
                                                                           running, workers):
    """A build started right after another sees a high one-minute load average; only running tasks count."""
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(f"1.95 1.20 0.80 {running} 12345\n")
    monkeypatch.setattr(os, "getloadavg", lambda: (1.95, 1.2, 0.8))
    assert pool.default_workers(loadavg) == workers


def test_one_passing_task_does_not_halve_the_workers(two_cores, tmp_path, monkeypatch):
    reads = iter(["0.0 0.0 0.0 2/80 1", "0.0 0.0 0.0 1/80 1", "0.0 0.0 0.0 2/80 1"])
    monkeypatch.setattr(pool.Path, "read_text", lambda self, *args, **kwargs: next(reads))
    assert pool.default_workers(tmp_path / "loadavg") == 2


def test_without_a_running_count_the_load_average_decides(two_cores, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.1, 0.0))
    assert pool.default_workers(tmp_path / "missing") == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 0.1, 0.0))
    assert pool.default_workers(tmp_path / "missing") == 1


def test_atlas_workers_overrides(two_cores, monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_WORKERS", "3")
    assert pool.default_workers(tmp_path / "missing") == 3


def test_forked_workers_give_the_pages_in_order():
    pages = pool.render_all(lambda index: f"page {index}".encode(), pool.MIN_PAGES + 7, workers=2)
    assert pages == [f"page {index}".encode() for index in range(pool.MIN_PAGES + 7)]


@pytest.mark.parametrize("workers", [1, 2])
def test_prepare_runs_before_each_chunk_in_the_process_that_renders_it(workers):
    prepared: dict[int, int] = {}

    def prepare(start: int, stop: int) -> None:
        prepared.update((index, os.getpid()) for index in range(start, stop))

    def render_one(index: int) -> bytes:
        return f"{index} {prepared.get(index) == os.getpid()}".encode()
    count = pool.MIN_PAGES + 7
    assert pool.render_all(render_one, count, workers=workers, prepare=prepare) == \
        [f"{index} True".encode() for index in range(count)]


def test_the_collector_is_set_for_rendering_and_restored_after_even_on_an_error():
    before = gc.get_threshold(), gc.get_freeze_count()
    seen = []

    def render_one(index: int) -> bytes:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        if index == 3:
            raise ValueError("a broken page")
        return b""
    with pytest.raises(ValueError):
        pool.render_all(render_one, 5)
    assert seen[0][0] == max(before[0][0], collector.YOUNG_OBJECTS) and seen[0][1] > before[1]  # the Atlas etc. frozen
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
