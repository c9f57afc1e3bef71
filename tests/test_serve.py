"""The preview server: rebuilds what a change affects, reloads the open page, shows errors, serves only the site."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from atlas.incremental import what_changed
from atlas.pipeline import load_atlas, render
from atlas.render import STATIC_DIR, TEMPLATES_DIR
from atlas.serve import PREVIEW, STATUS_PATH, Preview, PreviewApp, content_type, overlay, resolve_request
from tests.conftest import ROOT
from tests.crawling import free_port, wait_for_port

PANEL = "projects/panel-plant.md"
PANEL_PAGE = "projects/panel-plant/"


def edit(content: Path, relative: str, old: str, new: str) -> Path:
    path = content / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- serving only files of the site ----------------------------------------------------------------

FILES = {"index.html": b"home", "chains/index.html": b"chains", "static/a.css": b"css"}


@pytest.mark.parametrize("path, expected", [
    ("/", (200, "index.html")),
    ("/chains/", (200, "chains/index.html")),
    ("/chains", (301, "/chains/")),
    ("/static/a.css", (200, "static/a.css")),
    ("/missing/", (404, "no such page")),
    ("/../etc/passwd", (403, "refused: the path leaves the site")),
    ("/static/../../content/atlas.yaml", (403, "refused: the path leaves the site")),
    ("/./index.html", (403, "refused: the path leaves the site")),
    ("/static/..\\..\\secret", (403, "refused: not a plain path")),
    ("/index.html\x00.css", (403, "refused: not a plain path")),
])
def test_requests_resolve_only_to_files_of_the_build(path, expected):
    assert resolve_request(path, FILES) == expected


def test_content_types_declare_utf8_for_text():
    assert content_type("a/index.html") == "text/html; charset=utf-8"
    assert content_type("static/x.js").endswith("javascript; charset=utf-8")
    assert content_type("static/x.png") == "image/png"


def test_overlay_names_the_problem_and_escapes_it():
    box = overlay(["content/projects/x.md:7: status: '<b>' is not a status"])
    assert "content/projects/x.md:7: status: &#x27;&lt;b&gt;&#x27; is not a status" in box
    assert "<b>" not in box and 'id="atlas-build-errors"' in box


def call(app: PreviewApp, path: str, **headers: str) -> tuple[str, dict, bytes]:
    reply = {}

    def start_response(status, response_headers):
        reply.update(status=status, headers=dict(response_headers))
    body = b"".join(app({"PATH_INFO": path.encode().decode("latin-1"), **headers}, start_response))
    return reply["status"], reply["headers"], body


def test_pages_carry_the_overlay_only_while_the_build_is_broken(mini_content):
    preview = Preview(mini_content, log=lambda line: None)
    app = PreviewApp(preview)
    status, _, body = call(app, "/")
    assert status.startswith("500") and b"building" in body  # before the first build
    assert preview.rebuild()
    status, headers, body = call(app, "/" + PANEL_PAGE)
    assert status == "200 OK" and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"atlas-build-errors" not in body and b"var built=1;" in body
    broken = edit(mini_content, PANEL, "status: in_operation", "status: builing")
    assert not preview.rebuild([broken])
    _, _, body = call(app, "/" + PANEL_PAGE)
    assert b'id="atlas-build-errors"' in body and b"content/projects/panel-plant.md:" in body
    assert body.index(b"atlas-build-errors") > body.index(b"<main"), "laid over the last good page"
    status, headers, css = call(app, "/static/css/atlas.css")
    assert status == "200 OK" and b"atlas-build-errors" not in css and headers["ETag"]
    assert call(app, "/static/css/atlas.css", HTTP_IF_NONE_MATCH=headers["ETag"])[0].startswith("304")
    state = json.loads(call(app, STATUS_PATH)[2])
    assert state["generation"] == 2 and "builing" in state["problems"][0]


def test_a_first_build_that_fails_shows_the_problems(mini_content):
    edit(mini_content, PANEL, "status: in_operation", "status: builing")
    preview = Preview(mini_content, log=lambda line: None)
    assert not preview.rebuild()
    status, _, body = call(PreviewApp(preview), "/")
    assert status.startswith("500") and b"content/projects/panel-plant.md:" in body and b"</head>" in body


# --- incremental rebuilds give the bytes of a full build -------------------------------------------

EDITS = {
    "project body": [(PANEL, "面板工厂的说明。", "面板工厂的新说明。")],
    "project name": [(PANEL, "name: 面板工厂", "name: 面板工厂（改名）")],
    "project investment": [(PANEL, "investment_yi: 100", "investment_yi: 120")],
    "project status": [(PANEL, "status: in_operation", "status: completed")],
    "project moves chain and park": [("projects/backlight.yaml", "chain: display", "chain: finance"),
                                     ("projects/backlight.yaml", "park: display-park\npark_basis: implied\n", "")],
    "park renamed": [("parks/display-park.md", "name: 测试显示产业园", "name: 测试显示产业园（新）")],
    "park moves district": [("parks/display-park.md", "district: 崂山区", "district: 黄岛区")],
    "chain renamed": [("chains/display.md", "name: 新型显示产业链", "name: 新型显示产业链（新）")],
    "chain English name": [("chains/finance.yaml", "name_en: Modern Finance", "name_en: Finance")],
    "project English name and body": [(PANEL, "name_en: Panel plant", "name_en: Panel works"),
                                      ("projects/panel-plant.en.md", "Notes on", "More notes on")],
    "settings": [("atlas.yaml", "title: 测试图集", "title: 测试图集二")],
    "source title": [("sources/test-daily.yaml", "title:", "title: 新")],
    "free page": [("pages/about.md", "---", "---\nsummary: 新摘要")],
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_incremental_rebuild_equals_a_full_build(mini_content, name):
    preview = Preview(mini_content, log=lambda line: None)
    assert preview.rebuild()
    changed = [edit(mini_content, *change) for change in EDITS[name]]
    assert preview.rebuild(changed), preview.problems
    assert preview.files == render(load_atlas(mini_content), PREVIEW)


def test_a_preview_rebuild_makes_only_the_edited_entrys_search_documents_anew(mini_content, monkeypatch):
    from atlas.render import search

    preview = Preview(mini_content, log=lambda line: None)
    assert preview.rebuild()
    made: list[str] = []
    for name in ("project_document", "translated_document"):
        original = getattr(search, name)
        monkeypatch.setattr(search, name, lambda atlas, document, *rest, original=original, name=name:
                            made.append(f"{name}:{document.slug}") or original(atlas, document, *rest))
    assert preview.rebuild([edit(mini_content, PANEL, "面板工厂的说明。", "面板工厂的新说明。")])
    assert made == ["project_document:panel-plant", "translated_document:panel-plant"]
    assert preview.files == render(load_atlas(mini_content), PREVIEW)


def test_adding_and_removing_entries_rebuild_everything(mini_content, write_entry):
    preview = Preview(mini_content, log=lambda line: None)
    assert preview.rebuild()
    added = write_entry("projects/new-plant.yaml", "name: 新工厂\nchain: display\nstatus: signed\nsources:\n"
                                                   "  - source: test-daily\n    quote: 新工厂\n")
    assert preview.rebuild([added]) and "projects/new-plant/index.html" in preview.files
    removed = mini_content / "projects" / "fund.yaml"
    removed.unlink()
    assert preview.rebuild([removed]), preview.problems
    assert preview.files == render(load_atlas(mini_content), PREVIEW)


def test_a_failed_build_keeps_the_last_good_site_and_recovery_catches_up(mini_content):
    preview = Preview(mini_content, log=lambda line: None)
    assert preview.rebuild()
    good = dict(preview.files)
    broken = edit(mini_content, PANEL, "status: in_operation", "status: builing")
    assert not preview.rebuild([broken])
    assert preview.files == good
    assert preview.problems[0].startswith("content/projects/panel-plant.md:")
    assert "status: 'builing' is not one of" in preview.problems[0]
    other = edit(mini_content, "parks/display-park.md", "name: 测试显示产业园", "name: 改名产业园")  # while broken
    fixed = edit(mini_content, PANEL, "status: builing", "status: in_operation")
    assert preview.rebuild([fixed, other]) and preview.problems == []
    assert preview.files == render(load_atlas(mini_content), PREVIEW)


@pytest.mark.parametrize("breakage, message", [
    ("{{ project.name | }}", "templates/project.html:3: template: expected token 'name', got 'end of print statement'"),
    ("{{ project.no_such_field }}",
     "templates/project.html:3: template: 'atlas.model.Project object' has no attribute 'no_such_field'"),
])
def test_a_broken_template_shows_its_file_and_line_and_recovers(mini_content, tmp_path, breakage, message):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    preview = Preview(mini_content, templates=templates, log=lambda line: None)
    assert preview.rebuild()
    good = dict(preview.files)
    page = templates / "project.html"
    original = page.read_text(encoding="utf-8")
    first, second, rest = original.split("\n", 2)  # {% extends %} and {% block main %}
    page.write_text(f"{first}\n{second}\n{breakage}\n{rest}", encoding="utf-8")
    assert not preview.rebuild([page])
    assert len(preview.problems) == 1 and preview.problems[0].startswith(message), preview.problems
    assert preview.files == good
    page.write_text(original, encoding="utf-8")
    assert preview.rebuild([page]) and preview.files == good


def test_a_body_edit_redoes_the_entry_own_pages_only(mini_content):
    old = load_atlas(mini_content)
    path = edit(mini_content, PANEL, "面板工厂的说明。", "改过的说明。")
    change = what_changed(old, load_atlas(mini_content), [path], mini_content)
    assert not change.everything and not change.shared
    assert change.entries == {("projects", "panel-plant")}
    assert change.affects("projects/panel-plant/index.html") and change.affects("en/projects/panel-plant/index.html")
    assert not change.affects("index.html") and not change.affects("projects/backlight/index.html")


def test_a_project_edit_redoes_its_own_related_pages_only(mini_content):
    old = load_atlas(mini_content)
    path = edit(mini_content, PANEL, "status_note: 投入生产", "status_note: 已经投入生产")
    change = what_changed(old, load_atlas(mini_content), [path], mini_content)
    assert not change.everything and change.shared
    assert change.entries == {("projects", "panel-plant"), ("chains", "display"), ("parks", "display-park"),
                              ("projects", "backlight"), ("projects", "site-project")}
    assert change.affects("projects/panel-plant/index.html") and change.affects("index.html")
    assert change.affects("map/index.html") and change.affects("search/index.html")
    assert not change.affects("projects/fund/index.html") and not change.affects("chains/finance/index.html")


def test_a_chain_edit_redoes_everything_because_every_map_lists_the_chains(mini_content):
    old = load_atlas(mini_content)
    path = edit(mini_content, "chains/finance.yaml", "name_en: Modern Finance", "name_en: Finance")
    assert what_changed(old, load_atlas(mini_content), [path], mini_content).everything


def test_shared_inputs_redo_everything(mini_content):
    atlas = load_atlas(mini_content)
    for path in (TEMPLATES_DIR / "base.html", mini_content / "atlas.yaml", mini_content / "sources" / "x.yaml"):
        assert what_changed(atlas, atlas, [path], mini_content).everything, path
    css = STATIC_DIR / "css" / "atlas.css"
    assert not what_changed(atlas, atlas, [css], mini_content).everything
    assert what_changed(atlas, atlas, [css], mini_content, hashed_assets=True).everything


# --- the real server, in real Chromium --------------------------------------------------------------

class Server:
    def __init__(self, content: Path, port: int, process: subprocess.Popen, log: Path):
        self.content, self.port, self.process, self.log = content, port, process, log
        self.url = f"http://127.0.0.1:{port}/"

    def status(self) -> dict:
        with urllib.request.urlopen(self.url + STATUS_PATH.lstrip("/"), timeout=10) as reply:
            return json.loads(reply.read())

    def wait(self, condition, seconds: float = 15) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.status()
            if condition(state):
                return state
            time.sleep(0.05)
        raise AssertionError(f"server state never matched: {self.status()}\n{self.log.read_text()}")

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_accept_encoding=True)  # the path goes out byte for byte
            connection.endheaders()
            reply = connection.getresponse()
            return reply.status, reply.read()
        finally:
            connection.close()


def serving(content: Path, content_arg: str, cwd: Path, log: Path):
    """Run ``build.py serve`` from ``cwd`` (content given as ``content_arg``) until its first build is served;
    yield its Server, stop it afterwards."""
    port = free_port()
    with open(log, "wb") as sink:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--content", content_arg,
                                    "--port", str(port)], cwd=cwd, stdout=sink, stderr=sink)
    running = Server(content, port, process, log)
    try:
        wait_for_port(port, process)
        running.wait(lambda state: state["generation"] >= 1 and state["pages"] > 0)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server(mini_content, tmp_path):
    yield from serving(mini_content, str(mini_content), ROOT, tmp_path / "serve.log")


def open_page(server: Server, recorded_page, path: str = PANEL_PAGE):
    recorded = recorded_page()
    recorded.page.goto(server.url + path)
    server.wait(lambda state: state["waiters"] >= 1)  # livereload.js has connected
    return recorded


def has_text(text: str) -> str:
    return f"() => document.body !== null && document.body.innerText.includes({text!r})"


@pytest.mark.browser
def test_edit_break_and_fix_an_entry_while_the_page_is_open(server, recorded_page):
    recorded = open_page(server, recorded_page)
    assert "面板工厂的说明。" in recorded.page.evaluate("() => document.body.innerText")

    saved = time.monotonic()
    edit(server.content, PANEL, "面板工厂的说明。", "面板工厂已改写的说明。")
    recorded.page.wait_for_function(has_text("面板工厂已改写的说明。"), timeout=10_000)
    latency = time.monotonic() - saved
    print(f"\npreview reload latency (save → new text on the open page): {latency:.2f} s")
    assert latency < 3

    edit(server.content, PANEL, "status: in_operation", "status: builing")
    box = recorded.page.wait_for_selector("#atlas-build-errors", timeout=10_000)
    assert "content/projects/panel-plant.md:" in box.inner_text() and "builing" in box.inner_text()
    recorded.page.wait_for_function(has_text("面板工厂已改写的说明。"))  # the last good page, under the overlay

    edit(server.content, PANEL, "status: builing", "status: in_operation")
    recorded.page.wait_for_selector("#atlas-build-errors", state="detached", timeout=10_000)
    recorded.page.wait_for_function(has_text("面板工厂已改写的说明。"))
    assert recorded.errors == []


@pytest.mark.browser
def test_many_quick_saves_end_in_the_final_state(server, recorded_page):
    recorded = open_page(server, recorded_page)
    start = server.status()["generation"]
    for index in range(12):
        (server.content / PANEL).write_text(
            (server.content / PANEL).read_text(encoding="utf-8").replace(
                re.search(r"面板工厂的说明。|第\d+版说明。", (server.content / PANEL).read_text(encoding="utf-8"))[0],
                f"第{index}版说明。"), encoding="utf-8")
        time.sleep(0.03)
    recorded.page.wait_for_function(has_text("第11版说明。"), timeout=10_000)
    server.wait(lambda state: state["generation"] > start and not state["problems"])
    time.sleep(0.5)  # any rebuild still pending would show up here
    expected = render(load_atlas(server.content), PREVIEW)
    for path in (PANEL_PAGE + "index.html", "chains/display/index.html", "index.html", "map/index.html"):
        status, served = server.get("/" + path.removesuffix("index.html"))
        assert status == 200
        assert strip_livereload(served) == expected[path], path


def strip_livereload(html: bytes) -> bytes:
    """The page as built: without livereload's script (in <head>) and ours (before </body>)."""
    html = re.sub(rb'<script type="text/javascript">\(function\(\)\{var s=document.createElement.*?</script>', b"",
                  html, flags=re.S)
    return re.sub(rb"<script>\(function\(\)\{var built=.*?</script>(</body>)", rb"\1", html, flags=re.S)


def test_path_traversal_is_refused(server):
    secret = "secret-token-not-for-the-web"
    (server.content.parent / "secret.txt").write_text(secret, encoding="utf-8")
    (server.content / "secret.txt").write_text(secret, encoding="utf-8")
    for path in ("/../secret.txt", "/../content/secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/content/secret.txt",
                 "/static/..%2f..%2fsecret.txt", "/static/%2e%2e%2f%2e%2e%2fsecret.txt", "/..%5csecret.txt",
                 "/static/..\\..\\secret.txt", "//secret.txt", "/secret.txt", "/content/secret.txt",
                 "/%252e%252e/secret.txt", "/static/%00/../secret.txt"):
        status, body = server.get(path)
        assert status in (400, 403, 404), (path, status)
        assert secret.encode() not in body, path
    assert server.get("/")[0] == 200


def test_a_port_in_use_is_a_clear_message(mini_content):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "build.py", "serve", "--content", str(mini_content), "--port",
                                 str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.stderr
