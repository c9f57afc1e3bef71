"""One synthetic atlas written twice: as our content folder and as a Hugo site, for build benchmarks.

    python bench/corpus.py 10000 /tmp/atlas-10k      # → /tmp/atlas-10k/content and /tmp/atlas-10k/hugo

Seeded and deterministic: the same N and seed give the same files. N projects over 24 chains and
100 parks (the real ones plus made-up ones), each with a ~250-word Chinese and English body, a
milestone and a source; the Hugo site has one page per project and a ``chains`` taxonomy. The real
content's settings, sources, figures, free pages and geo data are copied as they are.
"""

from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from atlas.content import read_content  # noqa: E402
from atlas.model import STATUSES  # noqa: E402
from bench.synthetic import KINDS, PHASES, PLACEMENTS, PRODUCTS, SEED, SYLLABLES, random_point  # noqa: E402

CHAINS, PARKS = 24, 100
COPIED = ("atlas.yaml", "figures.yaml", "sources", "pages", "geo", "chains", "parks")
EN_WORDS = ("the project adds production capacity for the regional supply chain and links suppliers in the park "
            "with research institutes universities and logistics partners across the city while the district "
            "government coordinates land permits power water and training for skilled workers").split()
ZH_PHRASES = ("项目建成后将形成完整的生产线", "带动上下游配套企业集聚发展", "园区提供土地、能源与人才服务",
              "企业与高校共建研发平台", "产品面向国内外市场", "区政府协调审批与基础设施建设",
              "一期工程已完成主体施工", "二期规划正在论证之中", "年产值预计稳步增长", "重点引进关键零部件项目")


@dataclass(frozen=True)
class Entry:
    """One synthetic project, before it is written in either format."""

    slug: str
    name: str
    name_en: str
    chain: str
    park: str | None
    status: str
    investment: float | None
    location: dict | None
    date: str
    body_zh: str
    body_en: str


def write_corpus(count: int, target: Path, seed: int = SEED, source: Path = ROOT / "content") -> tuple[Path, Path]:
    """Write ``target/content`` (our format) and ``target/hugo`` (a Hugo site); return both folders."""
    rng = random.Random(seed)
    real = read_content(source)
    content, hugo = Path(target) / "content", Path(target) / "hugo"
    for folder in (content, hugo):
        shutil.rmtree(folder, ignore_errors=True)
    content.mkdir(parents=True)
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, content / name)
        elif path.exists():
            shutil.copy2(path, content / name)
    chains = _write_chains(content, real, rng)
    parks = _write_parks(content, real, chains, rng)
    districts = list(real.geo.districts.values())
    _write_hugo_skeleton(hugo)
    (content / "projects").mkdir(parents=True, exist_ok=True)
    (hugo / "content" / "projects").mkdir(parents=True, exist_ok=True)
    for i in range(count):
        entry = _project(i, chains, parks, districts, rng)
        write_project(content, entry)
        _write_hugo_page(hugo, entry)
    return content, hugo


def _write_chains(content: Path, real, rng: random.Random) -> list[str]:
    slugs = [chain.slug for chain in real.chains]
    for i in range(len(slugs), CHAINS):
        slug = f"synthetic-chain-{i:02d}"
        name = "".join(rng.sample(SYLLABLES, 2)) + "产业链"
        _write(content / "chains" / f"{slug}.md", {
            "name": name, "name_en": f"Synthetic chain {i}", "group": "unstated",
            "summary": f"{name}是合成的基准测试数据。", "sources": _sources(slug, name)},
            f"{name}是合成的基准测试数据。")
        slugs.append(slug)
    return slugs


def _sources(slug: str, name: str) -> list[dict]:
    return [{"url": f"https://example.invalid/synthetic/{slug}", "quote": f"{name}（合成数据）"}]


def _write_parks(content: Path, real, chains: list[str], rng: random.Random) -> list[str]:
    slugs = [park.slug for park in real.parks]
    for i in range(len(slugs), PARKS):
        slug = f"synthetic-park-{i:03d}"
        name = "".join(rng.sample(SYLLABLES, 2)) + rng.choice(PRODUCTS) + "产业园"
        _write(content / "parks" / f"{slug}.md", {
            "name": name, "chains": sorted(rng.sample(chains, 2)), "summary": f"{name}是合成的基准测试数据。",
            "sources": _sources(slug, name)},
            f"{name}是合成的基准测试数据。")
        slugs.append(slug)
    return slugs


def _project(i: int, chains: list[str], parks: list[str], districts: list, rng: random.Random) -> Entry:
    name = "".join(rng.sample(SYLLABLES, 2)) + rng.choice(PRODUCTS) + rng.choice(KINDS) + rng.choice(PHASES)
    placement = rng.choice([kind for kind, weight in PLACEMENTS for _ in range(weight)])
    district = rng.choice(districts)
    location = None
    if placement == "city":
        location = {"precision": "city"}
    elif placement == "district":
        location = {"precision": "district", "district": district.name}
    elif placement in ("site", "area"):
        lat, lon = random_point(district, rng)
        location = {"precision": placement, "lat": lat, "lon": lon, "district": district.name}
        if placement == "area":
            location["radius_m"] = rng.choice((300, 500, 1000, 2000))
    zh = "。".join(rng.choice(ZH_PHRASES) for _ in range(12)) + "。"
    en = " ".join(rng.choice(EN_WORDS) for _ in range(175)).capitalize() + "."
    return Entry(
        slug=f"synthetic-{i:06d}", name=name, name_en=f"Synthetic project {i}", chain=rng.choice(chains),
        park=rng.choice(parks) if placement == "park" or rng.random() < 0.2 else None,
        status=rng.choice(list(STATUSES)),
        investment=float(rng.choice((3, 5, 8, 10, 12.5, 20, 50, 100))) if rng.random() < 0.7 else None,
        location=location, date=f"{rng.randrange(2019, 2025)}-{rng.randrange(1, 13):02d}",
        body_zh=f"{name}{zh}", body_en=en)


def project_fields(entry: Entry) -> dict:
    """The front matter of a project in our content format."""
    fields: dict = {"name": entry.name, "name_en": entry.name_en, "chain": entry.chain}
    if entry.park:
        fields["park"] = entry.park
    fields["status"] = entry.status
    if entry.investment is not None:
        fields["investment_yi"] = entry.investment
    if entry.location:
        fields["location"] = entry.location
    quote = f"{entry.name}（合成数据）"
    url = f"https://example.invalid/synthetic/{entry.slug}"
    fields["milestones"] = [{"date": entry.date, "note": "项目开工", "url": url, "quote": quote}]
    fields["summary"] = f"{entry.name}是合成的基准测试数据。"
    fields["sources"] = [{"url": url, "quote": quote}]
    return fields


def write_project(content: Path, entry: Entry) -> Path:
    path = content / "projects" / f"{entry.slug}.md"
    _write(path, project_fields(entry), f"{entry.body_zh}\n\n{entry.body_en}")
    return path


def _write(path: Path, fields: dict, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + _yaml(fields) + "---\n" + body + "\n", encoding="utf-8")


def _yaml(value, indent: int = 0) -> str:
    """A small YAML writer for the shapes above (quoting every string keeps it unambiguous)."""
    pad = " " * indent
    lines = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(f"{pad}{key}:\n" + _yaml(item, indent + 2).rstrip("\n"))
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            lines.append(f"{pad}{key}:")
            for element in item:
                block = _yaml(element, indent + 4)
                lines.append(pad + "  - " + block[indent + 4:].rstrip("\n"))
        elif isinstance(item, list):
            lines.append(f"{pad}{key}: [{', '.join(_scalar(x) for x in item)}]")
        else:
            lines.append(f"{pad}{key}: {_scalar(item)}")
    return "\n".join(lines) + "\n"


def _scalar(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


# --- the same projects as a Hugo site -----------------------------------------------------------

HUGO_CONFIG = """baseURL = "https://example.org/"
languageCode = "zh-cn"
title = "Synthetic atlas"
disableKinds = ["RSS"]
[taxonomies]
  chain = "chains"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{{ .Title }}"
                            "</title></head><body><nav><a href=\"{{ \"/\" | relURL }}\">首页</a></nav>"
                            "{{ block \"main\" . }}{{ end }}</body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><p>{{ .Params.status }} · "
                            "{{ .Params.park }}</p>{{ range .GetTerms \"chains\" }}<a href=\"{{ .RelPermalink }}\">"
                            "{{ .LinkTitle }}</a>{{ end }}{{ .Content }}{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\""
                          "{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    "index.html": "{{ define \"main\" }}<h1>{{ .Site.Title }}</h1><ul>{{ range .Site.Taxonomies.chains }}<li><a "
                  "href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n",
}


def _write_hugo_skeleton(hugo: Path) -> None:
    (hugo / "hugo.toml").parent.mkdir(parents=True, exist_ok=True)
    (hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = hugo / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def hugo_page(entry: Entry) -> str:
    front = {"title": entry.name, "date": f"{entry.date}-01", "chains": [entry.chain], "status": entry.status}
    if entry.park:
        front["park"] = entry.park
    return "---\n" + _yaml(front) + "---\n" + f"{entry.body_zh}\n\n{entry.body_en}\n"


def _write_hugo_page(hugo: Path, entry: Entry) -> Path:
    path = hugo / "content" / "projects" / f"{entry.slug}.md"
    path.write_text(hugo_page(entry), encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/corpus.py COUNT TARGET_FOLDER")
    folders = write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(*folders, sep="\n")
