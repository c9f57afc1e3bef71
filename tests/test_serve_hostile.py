"""Hostile input for the preview server (issue #7, point 5), each case with its exact outcome.

The real server (``python build.py serve``) runs in a subprocess on 127.0.0.1 while the tests save in bursts,
write entries in two steps, remove and re-create folders, drop binary junk into ``content/`` and send requests
that try to leave the site; every answer is checked over HTTP (loopback only), and the reload in Chromium.
"""

from __future__ import annotations

import html
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas.pipeline import load_atlas, render
from atlas.serve import CLOCK_MARGIN_NS, PREVIEW, ServeError, changed_paths, is_loopback, printable, serve, snapshot
from tests.conftest import MINI, ROOT, copy_content
from tests.crawling import free_port, wait_for_port
from tests.test_serve import PANEL, PANEL_PAGE, Server, has_text, serving, strip_livereload

SECRET = "secret-token-not-for-the-web"
SETTINGS_LINE = len((MINI / "atlas.yaml").read_text(encoding="utf-8").splitlines()) + 1  # a line added at the end
NAME = "面板工厂"  # on the panel plant's page whatever its body says


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """The server's working folder: content/, a secret beside it, and a site/ folder on disk full of traps."""
    root = tmp_path_factory.mktemp("serve-hostile")
    copy_content(MINI, root / "content")
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    site = root / "site"  # the preview serves from memory: nothing here may ever be answered
    site.mkdir()
    (site / "index.html").write_text(f"<p>{SECRET}: stale page on disk</p>", encoding="utf-8")
    (site / "secret-link").symlink_to(root / "secret.txt")
    (site / "etc").symlink_to("/etc")
    return root


@pytest.fixture(scope="module")
def live(workspace) -> Server:
    # run from the workspace: relative paths would meet the traps above
    yield from serving(workspace / "content", "content", workspace, workspace / "serve.log")


def settled(server: Server, after: int, broken: bool, seconds: float = 20) -> dict:
    """The state once a build later than generation ``after`` ended (broken or good) and no other followed."""
    state = server.wait(lambda s: s["generation"] > after and bool(s["problems"]) == broken, seconds)
    while True:
        time.sleep(0.4)  # a save the watcher saw half-way is built again within a tick or two
        again = server.status()
        if again["generation"] == state["generation"]:
            return state
        state = server.wait(lambda s: bool(s["problems"]) == broken, seconds)


def page(server: Server, path: str = "/" + PANEL_PAGE) -> tuple[int, str]:
    status, body = server.get(path)
    return status, body.decode("utf-8")


def assert_good_page(server: Server, path: str = "/" + PANEL_PAGE, text: str = NAME) -> str:
    status, body = page(server, path)
    assert status == 200 and text in body and "atlas-build-errors" not in body, (status, body[:300])
    return body


def body_of(content: Path, body: str) -> None:
    """Save the panel plant with a new body (its front matter unchanged)."""
    path = content / PANEL
    front, _ = path.read_text(encoding="utf-8").rsplit("---\n", 1)
    path.write_text(f"{front}---\n{body}\n", encoding="utf-8")


def same_as_a_full_build(server: Server, *paths: str) -> None:
    expected = render(load_atlas(server.content), PREVIEW)
    for path in paths:
        status, served = server.get("/" + path.removesuffix("index.html"))
        assert status == 200, path
        assert strip_livereload(served) == expected[path], path


# --- the watcher ---------------------------------------------------------------------------------------

def test_two_saves_alike_in_time_and_size_are_told_apart(tmp_path):
    entry = tmp_path / "x.md"
    entry.write_text("第01版", encoding="utf-8")
    stamp = entry.stat().st_mtime_ns
    before = snapshot([tmp_path], racy_after_ns=stamp - CLOCK_MARGIN_NS)
    entry.write_text("第02版", encoding="utf-8")  # within one tick of a coarse file clock: same time, same size
    os.utime(entry, ns=(stamp, stamp))
    assert changed_paths(before, snapshot([tmp_path], racy_after_ns=stamp - CLOCK_MARGIN_NS)) == {entry}
    old = snapshot([tmp_path], racy_after_ns=stamp + 1)  # long unchanged: time and size only, no digest
    assert old[entry][3] is None and changed_paths(before, old) == set()


def test_the_watcher_sees_pipes_without_reading_them_and_skips_hidden_folders(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")  # reading it would block the server
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_bytes(b"x")
    (tmp_path / "x.md~").write_bytes(b"backup")
    seen = snapshot([tmp_path, tmp_path / "removed-meanwhile"], racy_after_ns=0)
    assert list(seen) == [tmp_path / "pipe.md"] and seen[tmp_path / "pipe.md"][3] is None


def test_a_name_that_is_not_utf_8_is_shown_by_its_bytes():
    name = os.fsdecode(b"content/projects/\xff\xfe-bad.md")
    assert printable(f"{name}:1: slug: bad") == "content/projects/\\xff\\xfe-bad.md:1: slug: bad"
    assert printable("content/中文.md") == "content/中文.md"


# --- binary junk and broken files dropped into content/ ------------------------------------------------

JUNK = random.Random(7).randbytes(4096)  # fixed bytes: not UTF-8, no NUL among the first that fail to decode
ENCODING = "encoding: file is not UTF-8; save it as UTF-8 (in Notepad: Save As → Encoding: UTF-8)"


def _write(relative: str | bytes, data: bytes) -> Callable[[Path], Path]:
    def make(workspace: Path) -> Path:
        path = Path(os.fsdecode(os.fsencode(workspace / "content") + b"/" + os.fsencode(relative)))
        path.write_bytes(data)
        return path
    return make


def _fifo(workspace: Path) -> Path:
    os.mkfifo(workspace / "content/projects/pipe.md")
    return workspace / "content/projects/pipe.md"


def _link_outside(workspace: Path) -> Path:
    link = workspace / "content/projects/secret.md"
    link.symlink_to(workspace / "secret.txt")
    return link


def _settings_host(workspace: Path) -> Path:
    settings = workspace / "content/atlas.yaml"
    shutil.copy(settings, workspace / "atlas.yaml.good")
    settings.write_text(settings.read_text(encoding="utf-8") + "host: 0.0.0.0\n", encoding="utf-8")
    return settings


# (case, make it, the exact problems shown; () when the junk is ignored)
JUNK_CASES = [
    ("random-bytes-in-an-entry", _write("projects/junk.md", JUNK), (f"content/projects/junk.md:1: {ENCODING}",)),
    ("utf-16-entry", _write("projects/wide.md", "---\nname: 测试\n---\n".encode("utf-16")),
     (f"content/projects/wide.md:1: {ENCODING}",)),
    ("nul-bytes-in-an-entry", _write("projects/nul.md", b"\x00" * 64), (
        "content/projects/nul.md:1: file: the file contains the control character #x0000, which entries may not "
        "contain; delete it (it is often invisible: retype the line)",)),
    ("random-2.5-mb-entry", _write("projects/big.md", random.Random(8).randbytes(2_500_000)), (
        "content/projects/big.md:1: file: file is 2,500,000 bytes; entries are limited to 2,000,000 bytes — "
        "split it or move data out",)),
    ("png-among-the-projects", _write("projects/photo.png", b"\x89PNG\r\n\x1a\n" + JUNK), (
        "content/projects/photo.png:1: file: '.png' files are not entries; use .md or .yaml (or move the file "
        "out of content/)",)),
    ("png-at-the-top-of-content", _write("photo.png", b"\x89PNG\r\n\x1a\n" + JUNK), ()),
    ("name-that-is-not-utf-8", _write(b"projects/\xff\xfe-bad.md", b"---\nname: x\n---\n"), (
        "content/projects/\\xff\\xfe-bad.md:1: slug: '\\xff\\xfe-bad' is not a valid slug: use lowercase letters, "
        "digits and hyphens, e.g. rename the file to 'bad'",)),
    ("junk-with-a-name-that-is-not-utf-8-at-the-top", _write(b"\xff\xfe", JUNK), ()),
    ("named-pipe-among-the-projects", _fifo, (
        "content/projects/pipe.md:1: file: is not an ordinary file (a pipe, device or socket); remove it from the "
        "content folder",)),
    ("link-to-a-secret-outside", _link_outside, (
        "content/projects/secret.md:1: file: is a symbolic link to {workspace}/secret.txt, outside the content "
        "folder; copy what you need into the content folder instead",)),
    ("settings-asking-for-another-host", _settings_host, (
        "content/atlas.yaml:{line}: host: unknown field; allowed here: title, title_en, description, "
        "description_en, base_url, map, headline_figures",)),
]


@pytest.mark.parametrize("case, make, expected", JUNK_CASES, ids=[case[0] for case in JUNK_CASES])
def test_junk_in_content_shows_its_file_or_is_ignored_and_the_server_keeps_serving(live, workspace, case, make,
                                                                                     expected):
    before = settled(live, 0, broken=False)["generation"]
    path = make(workspace)
    try:
        problems = [line.replace("{workspace}", str(workspace)).replace("{line}", str(SETTINGS_LINE))
                    for line in expected]
        state = settled(live, before, broken=bool(problems))
        assert state["problems"] == problems
        status, body = page(live)
        assert status == 200 and NAME in body, "the last good page is still served"
        assert SECRET not in body
        if problems:  # the overlay names the file, escaped as HTML
            assert 'id="atlas-build-errors"' in body and html.escape(problems[0]) in body
        else:
            assert "atlas-build-errors" not in body
        assert page(live, "/")[0] == 200
    finally:
        path.unlink()
        if case == "settings-asking-for-another-host":
            shutil.move(workspace / "atlas.yaml.good", path)
    settled(live, state["generation"], broken=False)
    assert_good_page(live)


# --- saving in bursts, in two steps, removing folders ---------------------------------------------------

def test_a_burst_of_50_saves_in_a_second_ends_in_the_final_state(live):
    before = settled(live, 0, broken=False)["generation"]
    answers: list[int] = []
    stop = threading.Event()

    def poll() -> None:  # a reader keeps asking while the saves come in
        while not stop.is_set():
            answers.append(live.get("/" + PANEL_PAGE)[0])
            time.sleep(0.05)
    reader = threading.Thread(target=poll)
    reader.start()
    try:
        started = time.monotonic()
        for number in range(50):  # the same size every time: time and size alone could not tell saves apart
            body_of(live.content, f"第{number:02d}版说明。")
            time.sleep(max(0.0, started + (number + 1) / 50 - time.monotonic()))
    finally:
        stop.set()
        reader.join()
    assert time.monotonic() - started < 2
    settled(live, before, broken=False)
    assert answers and set(answers) == {200}, answers
    assert_good_page(live, text="第49版说明。")
    same_as_a_full_build(live, PANEL_PAGE + "index.html", "chains/display/index.html", "index.html",
                         "map/index.html")


def test_a_burst_across_files_with_entries_coming_and_going(live):
    before = settled(live, 0, broken=False)["generation"]
    extra = live.content / "projects/burst-plant.yaml"
    park = live.content / "parks/display-park.md"
    park_text = park.read_text(encoding="utf-8")
    for number in range(50):
        if number % 10 == 0:
            extra.write_text(f"name: 突发工厂{number}\nchain: display\nstatus: signed\nsources:\n"
                             "  - source: test-daily\n    quote: 突发工厂\n", encoding="utf-8")
        elif number % 10 == 5:
            extra.unlink()
        elif number % 2:
            body_of(live.content, f"轮换说明{number}。")
        else:
            park.write_text(park_text.replace("name: 测试显示产业园", f"name: 测试显示产业园{number}"),
                            encoding="utf-8")
        time.sleep(0.02)
    state = settled(live, before, broken=False)
    assert not extra.exists()
    assert page(live, "/projects/burst-plant/")[0] == 404
    assert_good_page(live, text="轮换说明49。")
    same_as_a_full_build(live, PANEL_PAGE + "index.html", "parks/display-park/index.html", "projects/index.html",
                         "index.html")
    park.write_text(park_text, encoding="utf-8")
    settled(live, state["generation"], broken=False)


def test_an_entry_saved_in_two_steps_shows_the_error_then_the_page_again(live):
    path = live.content / PANEL
    text = path.read_text(encoding="utf-8")
    before = settled(live, 0, broken=False)["generation"]
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # the first half, cut inside the front matter
    state = settled(live, before, broken=True)
    assert state["problems"] == [
        "content/projects/panel-plant.md:1: front matter: front matter opened with '---' on line 1 is never closed; "
        "add a '---' line after the last field"]
    status, body = page(live)
    assert status == 200 and NAME in body and "content/projects/panel-plant.md:1: front matter:" in body
    path.write_text(text, encoding="utf-8")  # … and the rest
    settled(live, state["generation"], broken=False)
    assert_good_page(live)


def test_an_entry_emptied_then_written_again_comes_back(live):
    path = live.content / PANEL
    text = path.read_text(encoding="utf-8")
    before = settled(live, 0, broken=False)["generation"]
    path.write_text("", encoding="utf-8")  # editors that truncate first, then write
    state = settled(live, before, broken=True)
    assert state["problems"] == ["content/projects/panel-plant.md:1: file: file is empty; fill it in (see "
                                 "`python build.py new`) or delete it"]
    assert page(live)[0] == 200
    path.write_text(text, encoding="utf-8")
    settled(live, state["generation"], broken=False)
    assert_good_page(live)


def test_the_projects_folder_removed_and_re_created(live, workspace):
    projects = live.content / "projects"
    saved = workspace / "projects-saved"
    shutil.copytree(projects, saved)
    before = settled(live, 0, broken=False)["generation"]
    shutil.rmtree(projects)
    state = settled(live, before, broken=False)  # an atlas without projects is a valid atlas
    status, body = page(live)
    assert status == 404 and "No page at /projects/panel-plant/" in body
    assert "var built=" in body, "the missing page keeps listening for the folder to come back"
    assert page(live, "/")[0] == 200
    shutil.copytree(saved, projects)
    shutil.rmtree(saved)
    settled(live, state["generation"], broken=False)
    assert_good_page(live)
    same_as_a_full_build(live, PANEL_PAGE + "index.html", "projects/index.html", "index.html")


def test_the_content_folder_removed_and_re_created(live, workspace):
    content = live.content
    saved = workspace / "content-saved"
    shutil.copytree(content, saved)
    before = settled(live, 0, broken=False)["generation"]
    shutil.rmtree(content)
    state = settled(live, before, broken=True)
    assert state["problems"] == ["content:1: content: folder not found; pass --content DIR (the folder holding "
                                 "atlas.yaml, chains/, parks/, projects/)"]
    status, body = page(live)
    assert status == 200 and NAME in body and "content:1: content: folder not found" in body
    shutil.move(saved, content)
    settled(live, state["generation"], broken=False)
    assert_good_page(live)


# --- requests that try to leave the site ----------------------------------------------------------------

TRAVERSALS = [  # (request target, sent byte for byte; the exact status)
    ("/../secret.txt", 403),
    ("/%2e%2e/secret.txt", 403),
    ("/%2E%2E/%2e%2E/secret.txt", 403),
    ("/.%2e/secret.txt", 403),
    ("/static/..%2f..%2fsecret.txt", 403),
    ("/static/css/../../../secret.txt", 403),
    ("/..%5csecret.txt", 403),
    ("/static\\..\\..\\secret.txt", 403),
    ("/%2e%2e%5c%2e%2e%5csecret.txt", 403),
    ("/static/%00/../secret.txt", 403),
    ("/index.html%00.txt", 403),
    ("/%c0%ae%c0%ae/secret.txt", 400),  # an overlong UTF-8 "..": not UTF-8 at all
    ("/%252e%252e/secret.txt", 404),  # double-encoded: a name, never decoded twice
    ("//secret.txt", 404),
    ("/secret.txt", 404),
    ("/content/atlas.yaml", 404),
    ("/etc/passwd", 404),
    ("/etc/hostname", 404),  # site/etc on disk links to /etc: the disk is never read
    ("/secret-link", 404),  # site/secret-link on disk links to the secret
    ("/site/secret-link", 404),
    ("http://127.0.0.1/../secret.txt", 403),  # absolute form: not a plain path
]


@pytest.mark.parametrize("target, expected", TRAVERSALS, ids=[target for target, _ in TRAVERSALS])
def test_requests_that_leave_the_site_are_refused(live, target, expected):
    status, body = live.get(target)
    assert status == expected, body[:200]
    assert SECRET.encode() not in body and b"root:" not in body


def test_the_site_comes_from_memory_never_from_a_folder_on_disk(live):
    body = assert_good_page(live, "/", text="测试图集")
    assert SECRET not in body


# --- the address it listens on --------------------------------------------------------------------------

@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True),
                                            ("::1", True), ("0.0.0.0", False), ("::", False),
                                            ("192.0.2.7", False)])
def test_loopback_addresses_are_told_apart(host, loopback):
    assert is_loopback(host) is loopback


def test_a_network_address_not_named_on_the_command_line_is_refused_before_anything_listens(tmp_path):
    port = free_port()
    with pytest.raises(ServeError) as refused:
        serve(tmp_path, "0.0.0.0", port)  # e.g. a caller that took the address from settings or the environment
    assert str(refused.value) == (
        "refusing to serve the preview on 0.0.0.0, which other machines can reach; it serves on 127.0.0.1 unless "
        "you ask on the command line: python build.py serve --host 0.0.0.0")
    with socket.create_server(("127.0.0.1", port)):  # nothing took the port
        pass


def test_the_environment_and_settings_cannot_open_the_server_to_the_network(tmp_path):
    content = copy_content(MINI, tmp_path / "content")
    (content / "atlas.yaml").write_text((content / "atlas.yaml").read_text(encoding="utf-8") + "host: 0.0.0.0\n",
                                        encoding="utf-8")
    port = free_port()
    environment = {**os.environ, "HOST": "0.0.0.0", "ATLAS_HOST": "0.0.0.0", "LIVERELOAD_HOST": "0.0.0.0"}
    log = tmp_path / "serve.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
                                    "--port", str(port)], cwd=tmp_path, env=environment, stdout=sink, stderr=sink)
    try:
        wait_for_port(port, process)
        server = Server(content, port, process, log)
        state = server.wait(lambda s: s["generation"] >= 1)
        assert state["problems"] == [f"content/atlas.yaml:{SETTINGS_LINE}: host: unknown field; allowed here: "
                                     "title, title_en, description, description_en, base_url, map, headline_figures"]
        with pytest.raises(ConnectionRefusedError):  # another loopback address: reached only if bound to all
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "warning" not in log.read_text(encoding="utf-8")


def run_serve(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", "serve", *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_an_address_named_with_host_is_honoured_with_a_warning(mini_content):
    with socket.create_server(("127.0.0.1", 0)) as taken:  # so 0.0.0.0 is tried, and nothing ever listens on it
        port = taken.getsockname()[1]
        result = run_serve("--content", str(mini_content), "--host", "0.0.0.0", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "warning: serving on 0.0.0.0: other machines on your network can open this preview",
        f"error: port {port} on 0.0.0.0 is already in use (is another preview running?); stop it, or choose another "
        f"port: python build.py serve --port {port + 1}"]


def test_an_empty_host_is_a_usage_error_not_every_address(mini_content):
    result = run_serve("--content", str(mini_content), "--host", "", "--port", str(free_port()))
    assert result.returncode == 2 and result.stderr.splitlines() == ["error: --host needs an address, e.g. --host "
                                                                     "127.0.0.1"]


# --- the open page, in real Chromium ----------------------------------------------------------------------

def open_live_page(server: Server, recorded_page, path: str = PANEL_PAGE):
    recorded = recorded_page()
    waiting = server.status()["waiters"]
    recorded.page.goto(server.url + path)
    server.wait(lambda state: state["waiters"] > waiting)  # livereload.js has connected
    return recorded


@pytest.mark.browser
def test_the_open_page_reloads_to_the_last_save_of_a_burst(live, recorded_page):
    before = settled(live, 0, broken=False)["generation"]
    recorded = open_live_page(live, recorded_page)
    for number in range(50):
        body_of(live.content, f"浏览器第{number:02d}版。")
        time.sleep(0.02)
    settled(live, before, broken=False)
    recorded.page.wait_for_function(has_text("浏览器第49版。"), timeout=15_000)
    assert recorded.page.query_selector("#atlas-build-errors") is None
    assert recorded.foreign_requests == []


@pytest.mark.browser
def test_the_open_page_comes_back_when_its_folder_is_re_created(live, workspace, recorded_page):
    projects = live.content / "projects"
    saved = workspace / "projects-browser"
    shutil.copytree(projects, saved)
    before = settled(live, 0, broken=False)["generation"]
    recorded = open_live_page(live, recorded_page)
    shutil.rmtree(projects)
    recorded.page.wait_for_function(has_text("No page at /projects/panel-plant/"), timeout=15_000)
    state = settled(live, before, broken=False)
    live.wait(lambda s: s["waiters"] >= 1)  # the missing page listens too
    shutil.copytree(saved, projects)
    shutil.rmtree(saved)
    settled(live, state["generation"], broken=False)
    recorded.page.wait_for_function(has_text(NAME), timeout=15_000)
    assert recorded.page.query_selector("#atlas-build-errors") is None
