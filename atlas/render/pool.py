"""Rendering many pages on several cores, with the same bytes in the same order as one core gives.

Workers are forked after the Atlas, the routes and the compiled templates exist, so they share them
instead of receiving pickled copies; each renders a contiguous chunk of pages and sends the bytes back.
Below :data:`MIN_PAGES` (or on one core, or where ``fork`` is not available) pages render in-process:
starting workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path

from atlas import collector

MIN_PAGES = 2_000
CHUNK = 250  # pages per task: big enough that sending the bytes back is cheap, small enough to balance

_render_one: Callable[[int], bytes] | None = None  # set in the parent just before the fork; workers inherit it
_prepare: Callable[[int, int], None] | None = None


def default_workers(loadavg: Path = Path("/proc/loadavg")) -> int:
    """The cores that are idle now (``ATLAS_WORKERS`` overrides; 1 renders in-process).

    On a busy machine a second worker only competes with other work: measured on 2 shared cores at a
    load of 4, two workers were slower than one. "Now" is the tasks running at this moment, not the load
    average: that lags by a minute, so a build started right after another one saw its predecessor's load
    and rendered on one core of an idle machine.
    """
    override = os.environ.get("ATLAS_WORKERS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, int(cores - _busy(loadavg) + 0.5)))


def _busy(loadavg: Path, reads: int = 3) -> float:
    """Tasks running besides this process: Linux's count of running tasks (``/proc/loadavg``, "running/total"),
    the least of a few reads 2 ms apart (one passing task should not halve the workers), elsewhere the
    one-minute load average."""
    try:
        counts = []
        for read in range(reads):
            if read:
                time.sleep(0.002)
            counts.append(int(loadavg.read_text().split()[3].split("/")[0]) - 1)  # minus this process
        return max(0, min(counts))
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return 0.0


def render_all(render_one: Callable[[int], bytes], count: int, workers: int = 1,
               progress: Callable[[int, int], None] | None = None,
               prepare: Callable[[int, int], None] | None = None) -> list[bytes]:
    """``[render_one(i) for i in range(count)]``, on ``workers`` forked processes when that pays, with the
    collector set for it (``atlas.collector.for_builds``).

    ``prepare(start, stop)`` runs before pages ``start``…``stop - 1`` render, in the process that renders them:
    work that is cheaper done for many pages in a row than page by page (``site.page_context``).
    """
    with collector.for_builds():
        return _render_all(render_one, count, workers, progress, prepare)


def _render_all(render_one: Callable[[int], bytes], count: int, workers: int,
                progress: Callable[[int, int], None] | None,
                prepare: Callable[[int, int], None] | None) -> list[bytes]:
    if workers <= 1 or count < MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return _serial(render_one, count, progress, prepare)
    global _render_one, _prepare
    _render_one, _prepare = render_one, prepare
    chunks = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    pages: list[bytes] = []
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
            for part in pool.imap(_render_chunk, chunks):  # imap keeps the order of the chunks
                pages += part
                if progress:
                    progress(len(pages), count)
    except Exception:  # e.g. a template error: render in-process, so it is raised with its template's line
        return _serial(render_one, count, progress, prepare)
    finally:
        _render_one = _prepare = None
    return pages


def _serial(render_one: Callable[[int], bytes], count: int, progress: Callable[[int, int], None] | None,
            prepare: Callable[[int, int], None] | None = None) -> list[bytes]:
    pages = []
    for index in range(count):
        if prepare and index % CHUNK == 0:
            prepare(index, min(index + CHUNK, count))
        pages.append(render_one(index))
        if progress:
            progress(index + 1, count)
    return pages


def _render_chunk(bounds: tuple[int, int]) -> list[bytes]:
    start, stop = bounds
    if _prepare:
        _prepare(start, stop)
    return [_render_one(index) for index in range(start, stop)]
