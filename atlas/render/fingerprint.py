"""Content-hashed asset names (``atlas.css`` → ``atlas.3f9a0c1b2d.css``) for the published site.

A file whose name carries the hash of its bytes never changes under that name, so a CDN may cache
everything matching ``*.<10 hex>.*`` under ``static/`` for a year while HTML stays fresh. CSS is
hashed after its ``url()`` references are rewritten to the hashed names, so a changed image also
changes the name of the stylesheet that draws it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping

HASH_LENGTH = 10
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[^./]+$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")

# Leaflet's default marker icon derives its image names from the folder of ``marker-icon.png``
# (L.Icon.Default._detectIconPath), so these three keep their names.
KEEP_NAMES = frozenset({
    "static/vendor/leaflet/images/marker-icon.png",
    "static/vendor/leaflet/images/marker-icon-2x.png",
    "static/vendor/leaflet/images/marker-shadow.png",
})


def hashed_name(path: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        return f"{path}.{digest}"
    return f"{stem}.{digest}.{ext}"


def fingerprint(files: Mapping[str, bytes], prefix: str = "static/") -> tuple[dict[str, bytes], dict[str, str]]:
    """Rename every file under ``prefix`` by content hash; return the new files and {old path: new path}."""
    assets = {path for path in files if path.startswith(prefix) and path not in KEEP_NAMES}
    manifest: dict[str, str] = {}
    contents: dict[str, bytes] = {}

    def settle(path: str, visiting: frozenset[str]) -> str:
        if path in manifest:
            return manifest[path]
        data = files[path]
        if path.endswith(".css"):
            data = _rewrite_css(path, data, lambda target: settle(target, visiting | {path})
                                if target in assets and target not in visiting else target)
        manifest[path] = hashed_name(path, data)
        contents[path] = data
        return manifest[path]

    for path in sorted(assets):
        settle(path, frozenset())
    renamed = {manifest.get(path, path): contents.get(path, data) for path, data in files.items()}
    return renamed, manifest


def _rewrite_css(path: str, data: bytes, new_name) -> bytes:
    """Point each relative ``url()`` in a stylesheet at the new name of the file it names."""
    folder = posixpath.dirname(path)
    text = data.decode("utf-8")

    def replace(match: re.Match) -> str:
        quote, url = match.group(1), match.group(2)
        if url.startswith(("#", "/", "data:")) or "://" in url:
            return match.group(0)
        bare, _, rest = _split_suffix(url)
        target = posixpath.normpath(posixpath.join(folder, bare))
        renamed = new_name(target)
        if renamed == target:
            return match.group(0)
        return f"url({quote}{posixpath.relpath(renamed, folder)}{rest}{quote})"

    return CSS_URL.sub(replace, text).encode("utf-8")


def _split_suffix(url: str) -> tuple[str, str, str]:
    for mark in ("?", "#"):
        if mark in url:
            bare, _, tail = url.partition(mark)
            return bare, mark, mark + tail
    return url, "", ""
