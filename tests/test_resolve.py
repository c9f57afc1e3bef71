"""Resolve: links, placements and totals computed from the mini atlas."""

from __future__ import annotations

from atlas.pipeline import load_atlas
from atlas.resolve import investment_total, status_counts


def test_projects_are_grouped_by_chain_and_park(mini_content):
    atlas = load_atlas(mini_content)
    assert [p.slug for p in atlas.projects_of_chain["display"]] == ["panel-plant", "site-project", "backlight"]
    assert {p.slug for p in atlas.projects_of_park["display-park"]} == {"panel-plant", "backlight"}
    assert [p.slug for p in atlas.parks_of_chain["display"]] == ["display-park"]
    assert [p.slug for p in atlas.unchained_projects] == ["photo-caption"]


def test_placements_follow_precision_and_fall_back_to_the_park(mini_content):
    atlas = load_atlas(mini_content)
    park = atlas.placement("parks", "display-park")
    laoshan = atlas.content.geo.districts["崂山区"].point
    assert (park.lat, park.lon, park.precision) == (*laoshan, "district")
    inherited = atlas.placement("projects", "panel-plant")
    assert (inherited.lat, inherited.lon, inherited.via_park) == (*laoshan, "display-park")
    site = atlas.placement("projects", "site-project")
    assert (site.lat, site.lon, site.precision, site.via_park) == (36.07, 120.38, "site", None)
    assert atlas.placement("projects", "fund") is None  # no location, no park: not on a map
    assert atlas.placement("parks", "unplaced-park") is None


def test_totals_never_count_unknown_amounts(mini_content):
    atlas = load_atlas(mini_content)
    total = investment_total(atlas.projects_of_chain["display"])
    assert (total.total_yi, total.disclosed, total.undisclosed) == (103.2, 2, 1)
    empty = investment_total(atlas.projects_of_chain["finance"])
    assert (empty.total_yi, empty.disclosed, empty.undisclosed) == (0, 0, 1)
    assert status_counts(atlas.projects) == {"signed": 2, "under_construction": 1, "in_operation": 1,
                                             "unspecified": 1}


def test_citations_list_everything_that_cites_a_source(mini_content):
    atlas = load_atlas(mini_content)
    cited = {(c.kind, c.slug) for c in atlas.citations["source:test-daily"]}
    assert {("projects", "panel-plant"), ("chains", "display"), ("parks", "display-park"),
            ("figures", "parks-total")} <= cited
    assert {c.slug for c in atlas.citations["url:https://example.org/park"]} == {"display-park"}


def test_drafts_are_left_out_unless_asked_for(mini_content):
    from atlas.content import read_content
    from atlas.problems import ContentError

    fund = mini_content / "projects" / "fund.yaml"
    fund.write_text(fund.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    assert "fund" not in {p.slug for p in read_content(mini_content).projects}
    assert "fund" in {p.slug for p in read_content(mini_content, include_drafts=True).projects}

    chain = mini_content / "chains" / "finance.yaml"
    chain.write_text(chain.read_text(encoding="utf-8") + "draft: true\n", encoding="utf-8")
    fund.write_text(fund.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    try:
        read_content(mini_content)
    except ContentError as error:
        messages = [p.format() for p in error.problems]
    else:
        raise AssertionError("a published project linking to a draft chain must be an error")
    assert messages == [f"{fund.as_posix()}:2: chain: 'finance' is a draft (draft: true) and will not be "
                        "published; publish it, or build with --drafts"]
