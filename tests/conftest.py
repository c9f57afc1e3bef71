"""Shared fixtures: the mini atlas, builds into temporary folders, and a real headless Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
QINGDAO_CONTENT = ROOT / "content"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def copy_content(source: Path, target: Path) -> Path:
    """A writable copy of a content folder, with the real base-map data in geo/."""
    shutil.copytree(source, target)
    if not (target / "geo").exists():
        shutil.copytree(QINGDAO_CONTENT / "geo", target / "geo")
    return target


@pytest.fixture
def mini_content(tmp_path: Path) -> Path:
    return copy_content(MINI, tmp_path / "content")


@pytest.fixture
def write_entry(mini_content: Path):
    """Write a file into the mini content (relative path, text or bytes); returns its path."""
    def write(relative: str, data: str | bytes) -> Path:
        path = mini_content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path
    return write


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing Chromium is an error, never a skip."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class RecordedPage:
    """A browser page that records every request and console error, and refuses non-local requests."""

    def __init__(self, browser, viewport=None):
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.context.route("**/*", self._only_local)

    @staticmethod
    def _only_local(route):
        url = route.request.url
        local = url.startswith(("file://", "data:", "about:", "http://127.0.0.1", "http://localhost"))
        return route.continue_() if local else route.abort()

    @property
    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests
                if not u.startswith(("file://", "data:", "about:", "http://127.0.0.1", "http://localhost"))]

    def close(self):
        self.context.close()


@pytest.fixture
def recorded_page(browser):
    pages = []

    def make(viewport=None) -> RecordedPage:
        page = RecordedPage(browser, viewport)
        pages.append(page)
        return page
    yield make
    for page in pages:
        page.close()
