"""Open data files: each one parsed and compared with the model the pages are made from."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from atlas.linkcheck import check_links
from atlas.pipeline import build, load_atlas, render
from atlas.render.data import JSON_KEYS, PARK_PROPERTIES, PROJECT_COLUMNS, csv_cell, plain_number
from atlas.render.urls import UrlMode
from atlas.render.views import district_of
from atlas.resolve import investment_total
from tests.conftest import QINGDAO_CONTENT

BASE = "https://example.org/atlas/"


@pytest.fixture
def atlas(mini_content):
    return load_atlas(mini_content)


@pytest.fixture
def files(atlas):
    return render(atlas, UrlMode("preview"))


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte-order mark (for Excel)"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_projects_csv_has_a_bom_and_one_row_per_project(atlas, files):
    data = files["data/projects.csv"]
    rows = read_csv(data)
    assert [row["slug"] for row in rows] == [p.slug for p in atlas.projects]
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == [column.name for column in PROJECT_COLUMNS]
    assert "面板工厂" in data.decode("utf-8-sig")  # Chinese is written as UTF-8, not escaped


def test_unknown_investment_is_an_empty_cell_never_zero(files):
    rows = {row["slug"]: row for row in read_csv(files["data/projects.csv"])}
    assert (rows["fund"]["investment_yi"], rows["fund"]["investment_disclosed"]) == ("", "false")
    assert (rows["panel-plant"]["investment_yi"], rows["panel-plant"]["investment_disclosed"]) == ("100", "true")
    assert rows["site-project"]["investment_yi"] == "3.2"
    # a lower bound is not an amount: it has its own column and stays out of investment_yi
    assert (rows["backlight"]["investment_yi"], rows["backlight"]["investment_min_yi"]) == ("", "50")
    assert rows["backlight"]["investment_disclosed"] == "false"


def test_csv_rows_match_the_model(atlas, files):
    rows = {row["slug"]: row for row in read_csv(files["data/projects.csv"])}
    for project in atlas.projects:
        row = rows[project.slug]
        placement = atlas.placement("projects", project.slug)
        assert row["name"] == project.name
        assert row["status"] == project.status
        assert row["chain"] == (project.chain or "")
        assert row["park"] == (project.park or "")
        assert row["district"] == (district_of(atlas, project) or "")
        assert row["companies"] == " | ".join(project.companies)
        if placement is None:
            assert (row["lat"], row["lon"], row["via_park"]) == ("", "", "")
        else:
            assert (float(row["lat"]), float(row["lon"])) == (placement.lat, placement.lon)
            assert row["precision"] == placement.precision
            assert row["via_park"] == (placement.via_park or "")
        assert row["page"] == f"projects/{project.slug}/index.html"
        assert row["url"] == ""  # a preview build has no public address


def test_published_build_gives_absolute_page_urls(mini_content):
    files = build(mini_content, None, mode="published", base_url=BASE).files
    rows = {row["slug"]: row for row in read_csv(files["data/projects.csv"])}
    assert rows["fund"]["url"] == BASE + "projects/fund/"
    document = json.loads(files["data/atlas.json"])
    assert document["base_url"] == BASE
    assert document["projects"][0]["url"].startswith(BASE + "projects/")


def test_every_chain_has_its_csv_with_its_projects(atlas, files):
    for chain in atlas.chains:
        rows = read_csv(files[f"data/chains/{chain.slug}.csv"])
        assert [row["slug"] for row in rows] == [p.slug for p in atlas.projects_of_chain.get(chain.slug, ())]
    assert [row["slug"] for row in read_csv(files["data/chains/finance.csv"])] == ["fund"]


def test_projects_geojson_keeps_unplaced_entries_with_null_geometry(atlas, files):
    collection = json.loads(files["data/projects.geojson"])
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert list(features) == [p.slug for p in atlas.projects]
    for project in atlas.projects:
        feature = features[project.slug]
        placement = atlas.placement("projects", project.slug)
        assert feature["type"] == "Feature"
        if placement is None:
            assert feature["geometry"] is None
        else:
            assert feature["geometry"] == {"type": "Point", "coordinates": [placement.lon, placement.lat]}
        assert feature["properties"]["investment_yi"] == project.investment_yi
        assert feature["properties"]["status"] == project.status
    assert features["fund"]["geometry"] is None
    # a project drawn at its park's district point says both facts, so no one reads it as exact
    panel = features["panel-plant"]["properties"]
    assert (panel["precision"], panel["via_park"], panel["district"]) == ("district", "display-park", "崂山区")
    assert features["site-project"]["properties"]["precision"] == "site"
    assert features["site-project"]["properties"]["via_park"] is None
    assert features["fund"]["properties"]["investment_disclosed"] is False
    assert "lat" not in panel and "lon" not in panel


def test_parks_geojson_matches_the_model(atlas, files):
    features = {f["id"]: f for f in json.loads(files["data/parks.geojson"])["features"]}
    assert list(features) == [p.slug for p in atlas.parks]
    assert features["unplaced-park"]["geometry"] is None
    display = features["display-park"]
    placement = atlas.placement("parks", "display-park")
    assert display["geometry"]["coordinates"] == [placement.lon, placement.lat]
    properties = display["properties"]
    assert set(properties) == {c.name for c in PARK_PROPERTIES}
    # panel-plant (100) and backlight (lower bound only): one disclosed amount, never a 0 for the other
    assert (properties["projects"], properties["projects_with_investment"]) == (2, 1)
    assert properties["investment_disclosed_total_yi"] == 100
    assert features["unplaced-park"]["properties"]["investment_disclosed_total_yi"] is None


def test_atlas_json_holds_every_entry_as_the_model_has_it(atlas, files):
    document = json.loads(files["data/atlas.json"])
    for kind in ("chains", "parks", "projects", "sources", "pages"):
        model = getattr(atlas.content, kind)
        assert [e["slug"] for e in document[kind]] == [e.slug for e in model], kind
    assert [f["id"] for f in document["figures"]] == [f.id for f in atlas.content.figures]
    total = investment_total(atlas.projects)
    assert document["totals"]["investment"] == {"total_yi": total.total_yi, "disclosed": total.disclosed,
                                               "undisclosed": total.undisclosed}
    projects = {p["slug"]: p for p in document["projects"]}
    for project in atlas.projects:
        entry = projects[project.slug]
        assert entry["name"] == project.name and entry["status"] == project.status
        assert entry["investment_yi"] == project.investment_yi
        assert entry["investment_disclosed"] is (project.investment_yi is not None)
        assert entry["file"] == project.path.relative_to(atlas.content.root).as_posix()
        assert [s["quote"] for s in entry["sources"]] == [r.quote for r in project.sources]
    assert projects["panel-plant"]["milestones"][0]["date"] == "2023-09"
    assert projects["panel-plant"]["placement"]["via_park"] == "display-park"
    assert projects["fund"]["placement"] is None
    chains = {c["slug"]: c for c in document["chains"]}
    assert chains["finance"]["investment"] == {"total_yi": None, "disclosed": 0, "undisclosed": 1}
    assert chains["display"]["projects"] == [p.slug for p in atlas.projects_of_chain["display"]]
    sources = {s["slug"]: s for s in document["sources"]}
    assert {"kind": "projects", "slug": "panel-plant", "quote": "面板工厂投入生产"} in sources["test-daily"]["cited_by"]
    assert "path" not in projects["fund"] and "draft" not in projects["fund"]


def test_data_page_documents_every_column_and_key(files):
    page = files["data/index.html"].decode()
    header = files["data/projects.csv"].decode("utf-8-sig").splitlines()[0].split(",")
    for name in header:
        assert f"<code>{name}</code>" in page, name
    park_keys = json.loads(files["data/parks.geojson"])["features"][0]["properties"]
    for name in park_keys:
        assert f"<code>{name}</code>" in page, name
    documented = ", ".join(keys for keys, _ in JSON_KEYS)
    for key in json.loads(files["data/atlas.json"]):
        assert re.search(rf"\b{key}\b", documented), f"atlas.json key '{key}' is not explained on the data page"
    assert "BOM" in page and "不是 0" in page


@pytest.mark.parametrize("mode", ["preview", "offline", "published"])
def test_download_links_work_in_every_url_mode(atlas, mode):
    urls = UrlMode(mode, BASE if mode == "published" else None)
    files = render(atlas, urls)
    assert check_links(files, urls.base_url, directory_index=mode != "offline") == []
    page = "chains/display/index.html"
    links = re.findall(r'href="([^"]+\.csv)"', files[page].decode())
    assert [posixpath.normpath(posixpath.join(posixpath.dirname(page), link)) for link in links] == \
        ["data/chains/display.csv"]
    data_page = files["data/index.html"].decode()
    for target in ("atlas.json", "projects.csv", "projects.geojson", "parks.geojson"):
        assert f'href="{target}"' in data_page  # the data page sits in data/: the files are its siblings


def test_nav_data_leads_to_the_downloads_page_which_links_the_figures_page(files):
    home = files["index.html"].decode()
    assert re.search(r'<a href="data/">数据</a>', home)
    data_page = files["data/index.html"].decode()
    assert 'href="../figures/"' in data_page
    assert 'aria-current="page">数据<' in data_page


def test_data_files_are_byte_identical_across_builds(atlas):
    first = {k: v for k, v in render(atlas, UrlMode("preview")).items() if k.startswith("data/")}
    second = {k: v for k, v in render(atlas, UrlMode("preview")).items() if k.startswith("data/")}
    assert first == second and len(first) >= 6


def test_cells_are_plain_for_spreadsheets():
    assert [csv_cell(v) for v in (None, True, False, 50.0, 3.2, 1298, ["甲", "乙"], "a,b")] == \
        ["", "true", "false", "50", "3.2", "1298", "甲 | 乙", "a,b"]
    assert plain_number(3942.1) == "3942.1"  # no thousands separator, unlike the pages' 3,942.1


def test_real_content_exports_match_its_model():
    real = load_atlas(QINGDAO_CONTENT)
    files = render(real, UrlMode("offline"))
    rows = read_csv(files["data/projects.csv"])
    assert len(rows) == len(real.projects)
    disclosed = [float(r["investment_yi"]) for r in rows if r["investment_disclosed"] == "true"]
    assert round(sum(disclosed), 4) == investment_total(real.projects).total_yi
    assert all(r["investment_yi"] == "" for r in rows if r["investment_disclosed"] == "false")
    features = json.loads(files["data/projects.geojson"])["features"]
    placed = [p for p in real.projects if real.placement("projects", p.slug)]
    assert sum(1 for f in features if f["geometry"]) == len(placed)


@pytest.mark.browser
def test_offline_download_links_open_files_in_the_folder(atlas, tmp_path, recorded_page):
    folder = tmp_path / "offline"
    for name, data in render(atlas, UrlMode("offline")).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    recorded = recorded_page()
    for page_path in ("data/index.html", "chains/display/index.html"):
        recorded.page.goto((folder / page_path).as_uri())
        targets = recorded.page.eval_on_selector_all("a[download]", "links => links.map(a => a.href)")
        assert targets, page_path
        for target in targets:
            assert target.startswith("file://")
            assert Path(unquote(urlsplit(target).path)).is_file(), target
    with recorded.page.expect_download() as started:  # still on the chain page: its CSV link
        recorded.page.click("a[download][href$='.csv']")
    download = started.value
    assert download.suggested_filename == "display.csv"
    assert Path(download.path()).read_bytes() == (folder / "data/chains/display.csv").read_bytes()
    assert recorded.errors == [] and recorded.foreign_requests == []
