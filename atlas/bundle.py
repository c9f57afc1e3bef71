"""The offline bundle: ``python build.py bundle`` → ``dist/qingdao-atlas-offline.zip``.

The site is rendered in the offline URL mode (page-relative links naming ``index.html``, maps
without online tiles) and zipped under one folder with a bilingual README.txt. The zip is
reproducible: sorted entries, fixed timestamps, so the same content gives the same bytes.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from atlas.output import checkpoint, process_alive
from atlas.pipeline import load_atlas, render
from atlas.render.pool import default_workers
from atlas.render.urls import UrlMode
from atlas.resolve import Atlas

DEFAULT_OUT = Path("dist/qingdao-atlas-offline.zip")
FOLDER = "qingdao-atlas-offline"  # the zip unpacks into this one folder
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build clock in the bytes


@dataclass(frozen=True)
class BundleResult:
    path: Path
    files: int
    pages: int
    size: int  # bytes of the zip


def bundle(content_dir: Path, out: Path = DEFAULT_OUT) -> BundleResult:
    """Render the offline site and write it as a zip (atomically: a failure leaves any old zip)."""
    atlas = load_atlas(content_dir)
    files = render(atlas, UrlMode("offline"), workers=default_workers())
    files["README.txt"] = readme(atlas, files)
    write_zip(files, Path(out))
    return BundleResult(Path(out), len(files), sum(1 for p in files if p.endswith(".html")), Path(out).stat().st_size)


def readme(atlas: Atlas, files: Mapping[str, bytes]) -> bytes:
    """How to open the bundle, in Chinese and English (UTF-8 with BOM and CRLF, for Windows Notepad)."""
    settings = atlas.settings
    extras = [(zh, en) for zh, en, prefix in (("数据下载", "data downloads", "data/"), ("搜索", "search", "search/"))
              if _has(files, prefix)]
    zh_extra = "、".join(zh for zh, _ in extras)
    en_items = ["page", "map", *(en for _, en in extras)]
    en_list = ", ".join(en_items[:-1]) + " and " + en_items[-1]
    lines = [
        f"{settings.title} · 离线版",
        f"{settings.title_en or settings.title} · offline edition",
        "",
        "打开方法：先把整个压缩包解压到任意文件夹（不要在压缩包里直接打开文件），",
        f"然后用浏览器打开本文件夹（{FOLDER}）里的 index.html（双击即可）。",
        f"无需联网：全部页面、地图{'、' + zh_extra if zh_extra else ''}都在这个文件夹里。",
        "地图使用离线底图（区界与海岸线），不加载在线地图瓦片。",
        f"收录：{len(atlas.chains)} 条产业链、{len(atlas.parks)} 个园区、{len(atlas.projects)} 个项目。",
        "",
        "How to open: first extract the whole zip into any folder (do not open files inside the zip),",
        f"then open index.html in this folder ({FOLDER}) with a web browser (double-click it).",
        f"No network needed: every {en_list} is inside this folder.",
        "Maps draw an offline base map (district outlines and coastline) instead of online map tiles.",
        f"Contents: {len(atlas.chains)} industrial chains, {len(atlas.parks)} parks, {len(atlas.projects)} projects.",
        "",
    ]
    return "\ufeff".encode() + "\r\n".join(lines).encode("utf-8")


def _has(files: Mapping[str, bytes], prefix: str) -> bool:
    return any(path.startswith(prefix) for path in files)


def write_zip(files: Mapping[str, bytes], out: Path) -> None:
    """Write the zip beside ``out`` under a temporary name, then rename it: a kill leaves the old zip whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temporaries(out)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.{os.getpid()}-", dir=out.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for index, name in enumerate(sorted(files)):
                if index == len(files) // 2:
                    checkpoint("zipping")
                info = zipfile.ZipInfo(f"{FOLDER}/{name}", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_dead_temporaries(out: Path) -> None:
    """Half-written zips left by a bundle that was killed (its process is gone)."""
    for leftover in out.parent.glob(f".{out.name}.*-*"):
        pid = leftover.name.removeprefix(f".{out.name}.").split("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)
