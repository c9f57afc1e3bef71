"""Ask the search page of any built site (a folder opened from file://, or a served address) in Chromium.

``QINGDAO_QUERIES`` are queries with the entry each must put first in the Qingdao atlas; the offline
bundle's tests can run them against the unzipped folder with :func:`first_results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

# (query, output path of the entry that must come first) — the Qingdao atlas in content/
QINGDAO_QUERIES = (
    ("黄岛区", "parks/new-display-park/index.html"),  # a district: the park located there, not a name
    ("京东方", "projects/boe-qingdao-module-plant/index.html"),
    ("歌尔", "projects/goertek-vr-optical-module-phase1/index.html"),
    ("示范区", "projects/haier-jiaozhou-refrigerator-phase1/index.html"),  # only in a fact and a location note
    ("氢能", "chains/hydrogen-energy-storage/index.html"),
    ("虚拟现实", "chains/virtual-reality/index.html"),
    ("AstraZeneca", "projects/astrazeneca-inhalation-aerosol-base/index.html"),
    ("MiniLED", "projects/ronghe-miniled-backplane/index.html"),
    ("miniled", "projects/ronghe-miniled-backplane/index.html"),
    ("集成电路", "chains/integrated-circuits/index.html"),  # the exact name beats longer names
    ("人工智能", "chains/artificial-intelligence/index.html"),
    ("新型显示", "chains/new-display/index.html"),
    ("元宇宙", "projects/metaverse-park/index.html"),
    ("唐岛湾", "projects/tangdao-bay-arts-center/index.html"),
    ("崂山区", "projects/diaoyutai-mgm-hotel-laoshan/index.html"),  # in a name beats the district field
    ("胶州", "projects/haier-jiaozhou-refrigerator-phase1/index.html"),
    ("双星", "projects/doublestar-tire-industry40-factory/index.html"),
    ("鹏辉", "projects/penghui-storage-battery/index.html"),
    ("阿斯利康", "projects/astrazeneca-inhalation-aerosol-base/index.html"),
    ("Goertek", "projects/goertek-vr-optical-module-phase1/index.html"),
    ("virtual reality", "chains/virtual-reality/index.html"),
    ("海尔生物", "projects/haier-biosafety-park/index.html"),
    ("平度", "projects/pingdu-impression-jiaodong-phase1/index.html"),
    ("美高梅", "projects/diaoyutai-mgm-hotel-laoshan/index.html"),
    ("1200吨", "projects/wind-installation-platform-1200t/index.html"),
    ("中国科学院", "projects/qibebt-bipolar-plate-pilot-line/index.html"),
    ("潍柴", "projects/weichai-future-rd-center/index.html"),
    ("母基金", "projects/dongzheng-zhuanjingtexin-fof/index.html"),
    ("抗光屏幕", "projects/hisense-anti-light-screen/index.html"),
    ("背光模组", "projects/hanbo-backlight-module/index.html"),
    ("文化旅游", "chains/culture-tourism/index.html"),
    ("会展", "chains/convention-exhibition/index.html"),
    ("astra", "projects/astrazeneca-inhalation-aerosol-base/index.html"),  # the last word is completed
    ("氢", "projects/hyfun-hydrogen/index.html"),  # a lone character finds the bigrams it starts
    ("ＭｉｎｉＬＥＤ", "projects/ronghe-miniled-backplane/index.html"),  # full-width letters
)


@dataclass(frozen=True)
class Result:
    kind: str  # the label shown: 产业链 / 园区 / 项目
    title: str
    href: str  # as written in the page
    url: str  # resolved against the search page


def search_url(site: str | Path, query: str, explicit_index: bool = True) -> str:
    """The search page of a site given as a folder or as a base address ending in "/"."""
    base = site.as_uri() + "/" if isinstance(site, Path) else site
    return base + ("search/index.html" if explicit_index else "search/") + "?q=" + quote(query)


def first_results(recorded, site: str | Path, query: str, explicit_index: bool = True) -> list[Result]:
    """Open the search page with ``?q=query`` and return the results it lists, in order."""
    page = recorded.page
    url = search_url(site, query, explicit_index)
    page.goto(url)
    page.wait_for_selector("#search-app:is([data-search-state=ready], [data-search-state=broken])")
    rows = page.eval_on_selector_all(".search-result", """items => items.map(item => [
        item.querySelector('.search-result-kind').textContent, item.querySelector('a').textContent,
        item.querySelector('a').getAttribute('href')])""")
    return [Result(kind, title, href, urljoin(url, href)) for kind, title, href in rows]


def entry_url(site: str | Path, path: str, explicit_index: bool = True) -> str:
    base = site.as_uri() + "/" if isinstance(site, Path) else site
    return base + (path if explicit_index else path.removesuffix("index.html"))
