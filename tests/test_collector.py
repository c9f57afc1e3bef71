"""The garbage collector's settings during a build: set while it runs, restored after, also on a failure."""

from __future__ import annotations

import gc

import pytest

from atlas import collector
from atlas.pipeline import build
from atlas.problems import ContentError


def test_a_nested_use_freezes_what_was_made_since_and_only_the_outermost_unfreezes():
    assert gc.get_freeze_count() == 0
    with collector.for_builds():
        outer = gc.get_freeze_count()
        made_since = [[] for _ in range(1000)]
        with collector.for_builds():
            assert gc.get_freeze_count() >= outer + len(made_since)
        assert gc.get_freeze_count() >= outer + len(made_since)  # still frozen: the outer use is not done
    assert gc.get_freeze_count() == 0


def test_a_build_restores_the_collector_after_it_and_after_a_failure(mini_content, write_entry, monkeypatch):
    before = gc.get_threshold(), gc.get_freeze_count()
    during = []
    real = collector.gc.set_threshold
    monkeypatch.setattr(collector.gc, "set_threshold", lambda *values: (during.append(values), real(*values)))
    build(mini_content, None)
    assert during[0][0] == max(before[0][0], collector.YOUNG_OBJECTS)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    write_entry("projects/broken.md", "name: [unclosed\n")
    with pytest.raises(ContentError):
        build(mini_content, None)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
