"""Search at scale: 10,000 synthetic projects → index size, load time and query time in headless Chromium.

    .venv/bin/python bench/search_bench.py [--projects 10000] [--seed 20231016] [--no-serialized]

The projects are made up (seeded, so every run is the same) from small word lists, sized like the real
entries (name, English name, companies, summary, Markdown body, a fact, a milestone, a location note) and
placed in the real chains, parks and districts. No name or fact refers to a real company. The script
prints figures and asserts nothing; it also measures the alternative design (a serialised MiniSearch
index loaded with ``MiniSearch.loadJS``) so the choice between the two stays checkable.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from atlas.content import read_content  # noqa: E402
from atlas.model import STATUSES, Fact, Location, Milestone, Project, SourceRef  # noqa: E402
from atlas.render import search  # noqa: E402
from atlas.resolve import resolve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
MINISEARCH = ROOT / "node_modules" / "minisearch" / "dist" / "umd" / "index.js"
SEARCH_JS = ROOT / "static" / "js" / "search.js"

SYLLABLES = [("澜", "Lan"), ("启", "Qi"), ("禾", "He"), ("晟", "Sheng"), ("拓", "Tuo"), ("岚", "Lan"), ("屿", "Yu"),
             ("弘", "Hong"), ("钧", "Jun"), ("朗", "Lang"), ("汇", "Hui"), ("澄", "Cheng"), ("翎", "Ling"),
             ("琨", "Kun"), ("曜", "Yao"), ("泓", "Hong"), ("峰", "Feng"), ("宸", "Chen"), ("骏", "Jun"), ("沐", "Mu")]
TECHS = [("智能传感器", "smart sensor", "传感器", "只"), ("动力电池", "power battery", "电池", "套"),
         ("氢燃料电池", "hydrogen fuel cell", "电堆", "台"), ("显示模组", "display module", "模组", "片"),
         ("工业机器人", "industrial robot", "机器人", "台"), ("生物制药", "biopharmaceutical", "制剂", "支"),
         ("医疗器械", "medical device", "器械", "台"), ("集成电路封测", "chip packaging", "芯片", "颗"),
         ("碳纤维材料", "carbon fibre", "碳纤维", "吨"), ("海洋装备", "marine equipment", "装备", "台"),
         ("储能系统", "energy storage", "储能柜", "套"), ("工业软件", "industrial software", "软件", "套"),
         ("精密仪器", "precision instrument", "仪器", "台"), ("轨道交通部件", "rail component", "部件", "套"),
         ("智能家电", "smart appliance", "家电", "台"), ("虚拟现实终端", "VR headset", "头显", "台"),
         ("算力服务", "computing service", "算力", "P"), ("光伏组件", "solar module", "组件", "片"),
         ("高分子材料", "polymer material", "树脂", "吨"), ("汽车零部件", "auto parts", "零部件", "套")]
KINDS = [("生产基地", "production base"), ("产业园", "industrial park"), ("研发中心", "R&D centre"),
         ("智能工厂", "smart factory"), ("产业化项目", "industrialisation project"), ("中试基地", "pilot base"),
         ("总部基地", "headquarters"), ("扩产项目", "expansion project")]
PHASES = [("", ""), ("一期", " phase 1"), ("二期", " phase 2")]
FIRM_KINDS = ["科技", "新材料", "智能装备", "生物科技", "能源科技", "电子"]
AREAS = ["高新区", "经济技术开发区", "临港产业园", "科技城", "物流园区", "海洋产业园"]
STATUS_PHRASES = ["签约落地", "开工建设", "加快建设", "主体完工", "竣工投产", "投产运营"]
FACILITIES = ["生产厂房", "研发楼", "仓储中心", "中试车间", "检测中心", "自动化生产线"]
FILLERS = ["投资额和预计投产时间文章未说明。", "建设方和用途文章未说明，也未从其他来源找到。",
           "项目的具体位置未公开，地图上按区级位置近似标注。", "文章未说明项目所属园区。"]

QUERIES = [
    "传感器", "智能传感器", "动力电池", "氢燃料电池", "显示模组", "工业机器人", "生物制药", "医疗器械", "封测",
    "碳纤维", "海洋装备", "储能", "工业软件", "精密仪器", "轨道交通", "智能家电", "虚拟现实", "算力", "光伏",
    "高分子", "黄岛区", "崂山区", "即墨区", "胶州市", "平度市", "澜启", "晟拓", "骏沐", "青岛澜启科技",
    "生产基地", "研发中心", "中试基地", "一期", "主体完工", "投产运营", "年产", "智能传感器生产基地一期",
    "新型显示", "集成电路", "青岛市人工智能产业园", "sensor", "hydrogen fuel", "robot", "VR", "solar module",
    "pow", "Lanqi", "氢", "项目", "不存在的词语",
]


def synthetic_projects(count: int, seed: int, chains: list[str], parks: list[str],
                       districts: list[str]) -> list[Project]:
    """Made-up projects with the shape of the real ones (field presence and lengths), seeded."""
    rng = random.Random(seed)
    statuses = list(STATUSES)
    projects = []
    for i in range(count):
        (s1, p1), (s2, p2) = rng.sample(SYLLABLES, 2)
        tech, tech_en, product, unit = rng.choice(TECHS)
        kind, kind_en = rng.choice(KINDS)
        phase, phase_en = rng.choice(PHASES)
        brand, brand_en = s1 + s2, p1 + p2.lower()
        name = f"{brand}{tech}{kind}{phase}"
        firm = f"{brand}{rng.choice(FIRM_KINDS)}"
        district, area = rng.choice(districts), rng.choice(AREAS)
        amount = rng.choice([3, 5, 8, 10, 12, 15, 20, 30, 50, 80, 100])
        capacity = f"年产{product}{rng.randrange(10, 2000)}万{unit}"
        progress = rng.choice(STATUS_PHRASES)
        summary = (f"总投资{amount}亿元的{name}{progress}。" if rng.random() < 0.5 else
                   f"{name}{progress}，建成后可{capacity}。")
        year, month = rng.randrange(2019, 2025), rng.randrange(1, 13)
        opening = f"据文章，{summary}" if rng.random() < 0.4 else f"据文章，{district}{area}的{name}{progress}。"
        middle = (f"项目由**{firm}**投资建设，主要建设{rng.choice(FACILITIES)}及配套设施。" if rng.random() < 0.5
                  else f"{year}年{month}月，项目{rng.choice(STATUS_PHRASES)}。")
        body = [opening, middle, rng.choice(FILLERS)]
        ref = SourceRef(quote=summary, url=f"https://example.invalid/synthetic/{i}")
        has_firm = rng.random() < 0.5
        projects.append(Project(
            slug=f"synthetic-{i:05d}", path=Path(f"projects/synthetic-{i:05d}.md"), name=name,
            status=rng.choice(statuses), sources=(ref,), name_en=f"{brand_en} {tech_en} {kind_en}{phase_en}",
            chain=rng.choice(chains) if rng.random() < 0.9 else None,
            park=rng.choice(parks) if rng.random() < 0.3 else None, investment_yi=float(amount),
            companies=((f"{firm} ({brand_en})" if rng.random() < 0.5 else firm),) if has_firm else (),
            capacity=(capacity,) if rng.random() < 0.4 else (),
            location=Location("district", district=district, note=f"{district}{area}") if rng.random() < 0.6
            else Location("district", district=district),
            milestones=(Milestone(f"{year}-{month:02d}", f"项目{progress}", ref),) if rng.random() < 0.5 else (),
            summary=summary, facts=(Fact(f"{firm}是{name}的建设主体。" if has_firm else f"{name}由{district}引进。",
                                         ref),),
            tags=(tech,), body="\n\n".join(body),
        ))
    return projects


def harness(folder: Path, scripts: list[str]) -> Path:
    tags = "\n".join(f'<script src="{name}" charset="utf-8"></script>' for name in scripts)
    page = folder / f"harness-{len(list(folder.glob('harness-*')))}.html"
    page.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>search bench</title></head><body>
<div id="app"><p class="search-status"></p><ol class="search-results"></ol></div>
<script src="minisearch.js" charset="utf-8"></script>
<script src="search.js" charset="utf-8"></script>
<script>window.T0 = performance.now();</script>
{tags}
<script>window.T1 = performance.now();</script>
</body></html>""", encoding="utf-8")
    return page


MEASURE_QUERIES = """queries => {
  const engine = window.ENGINE, app = document.getElementById("app");
  app.setAttribute("data-home", "../index.html"); app.setAttribute("data-url-mode", "offline");
  queries.forEach(q => AtlasSearch.search(engine, q));  // warm-up round
  const times = [], shown = [], counts = [];
  for (const q of queries) {
    let t = performance.now(); const results = AtlasSearch.search(engine, q); times.push(performance.now() - t);
    t = performance.now(); AtlasSearch.show(engine, app, q); shown.push(performance.now() - t);
    counts.push(results.length);
  }
  return {times, shown, counts};
}"""


def mb(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB"


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--projects", type=int, default=10_000)
    args.add_argument("--seed", type=int, default=20231016)
    args.add_argument("--content", type=Path, default=ROOT / "content")
    args.add_argument("--no-serialized", action="store_true", help="skip measuring the serialised-index design")
    options = args.parse_args(argv)

    content = read_content(options.content)
    projects = synthetic_projects(options.projects, options.seed, [c.slug for c in content.chains],
                                  [p.slug for p in content.parks], list(content.geo.names))
    atlas = resolve(replace(content, projects=tuple(projects)))
    started = time.perf_counter()
    index = search.search_index_file(atlas)
    build_seconds = time.perf_counter() - started
    documents = len(atlas.chains) + len(atlas.parks) + len(atlas.projects)
    print(f"documents: {documents} ({len(projects)} synthetic projects, seed {options.seed})")
    print(f"index file static/search/index.js: {mb(len(index))} (limit 5 MB); built in Python in "
          f"{build_seconds * 1000:.0f} ms")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="atlas-search-bench-") as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        (folder / "index.js").write_bytes(index)
        shutil.copy(MINISEARCH, folder / "minisearch.js")
        shutil.copy(SEARCH_JS, folder / "search.js")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(harness(folder, ["index.js"]).as_uri())
        loaded = page.evaluate("""async () => { const t = performance.now();
            window.ENGINE = await AtlasSearch.createIndex(window.ATLAS_SEARCH);
            return {script: window.T1 - window.T0, index: performance.now() - t}; }""")
        print(f"load in Chromium: index.js parsed in {loaded['script']:.0f} ms, MiniSearch indexed the documents "
              f"in {loaded['index']:.0f} ms, total {loaded['script'] + loaded['index']:.0f} ms")
        figures = page.evaluate(MEASURE_QUERIES, QUERIES)
        print(f"{len(QUERIES)} queries (results per query: median {statistics.median(figures['counts']):.0f}, "
              f"max {max(figures['counts'])}):")
        print(f"  search and rank:             {ms(figures['times'])}")
        print(f"  search, rank and show top 50: {ms(figures['shown'])}")

        if not options.no_serialized:
            serialized = page.evaluate("() => JSON.stringify(window.ENGINE.index)")
            (folder / "serialized.js").write_text(f"window.SERIALIZED = {serialized};\n", encoding="utf-8")
            size = (folder / "serialized.js").stat().st_size
            second = browser.new_page()
            second.goto(harness(folder, ["serialized.js", "index.js"]).as_uri())
            timing = second.evaluate("""() => { const t = performance.now();
                MiniSearch.loadJS(window.SERIALIZED, AtlasSearch.indexOptions(window.ATLAS_SEARCH.fields));
                return {script: window.T1 - window.T0, index: performance.now() - t}; }""")
            print(f"alternative, serialised MiniSearch index: {mb(size)} on top of the documents "
                  f"(total {mb(size + len(index))}); scripts parsed in {timing['script']:.0f} ms, "
                  f"MiniSearch.loadJS in {timing['index']:.0f} ms, total {timing['script'] + timing['index']:.0f} ms")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
