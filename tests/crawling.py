"""Crawl a built site in real Chromium: every page reachable by links, every link and #anchor checked."""

from __future__ import annotations

import socket
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit
from urllib.request import url2pathname

LINKS_JS = """() => Array.from(document.querySelectorAll('a[href], form[action]'),
                              e => e.tagName === 'FORM' ? e.action : e.href)"""
IDS_JS = "() => Array.from(document.querySelectorAll('[id]'), e => e.id)"


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)  # every HTML page visited, in order
    broken: list[str] = field(default_factory=list)  # "page: link: why"
    files: list[str] = field(default_factory=list)  # non-HTML files linked (downloads), checked to exist


def crawl(recorded, start: str, inside: str) -> Crawl:
    """Visit every page reachable from ``start`` whose address begins with ``inside``."""
    result = Crawl()
    queue, seen = [start], {start}
    anchors: list[tuple[str, str, str]] = []  # (linking page, target page, fragment)
    ids: dict[str, set[str]] = {}
    page = recorded.page
    while queue:
        url = queue.pop(0)
        problem = _load_problem(url, None) if url.startswith("file://") else None
        if not problem:
            problem = _load_problem(url, page.goto(url))
        if problem:
            result.broken.append(f"{url}: {problem}")
            continue
        result.pages.append(url)
        ids[url] = set(page.evaluate(IDS_JS))
        for link in page.evaluate(LINKS_JS):
            target, fragment = urldefrag(link)
            target = target.split("?", 1)[0]
            if not target.startswith(inside):
                continue
            if fragment:
                anchors.append((url, target, unquote(fragment)))
            if _is_page(target):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
            elif target not in result.files:
                result.files.append(target)
                problem = _load_problem(target, None)
                if problem:
                    result.broken.append(f"{url}: {target}: {problem}")
    for source, target, fragment in anchors:
        if target in ids and fragment not in ids[target]:
            result.broken.append(f"{source}: {target}#{fragment}: no element with that id")
    return result


def _is_page(url: str) -> bool:
    return url.endswith(("/", ".html"))


def _load_problem(url: str, response) -> str | None:
    if url.startswith("file://"):
        path = Path(url2pathname(urlsplit(url).path))
        if url.endswith("/"):
            return "a folder: file:// shows a listing, not index.html"
        return None if path.is_file() else "no such file"
    if response is None:
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                return None if reply.status == 200 else f"HTTP {reply.status}"
        except OSError as error:
            return str(error)
    return None if response.status == 200 else f"HTTP {response.status}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process=None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")
