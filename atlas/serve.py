"""The preview server: ``python build.py serve`` — rebuild on save, reload the open page, show errors.

Built on ``livereload`` (its websocket protocol, its ``livereload.js`` client and its script
injection), with our own watcher: livereload's default one polls every 0.8 s and drops a reload that
comes within 3 s of the previous one, so the last of several quick saves could go unseen.

The site is served from memory: a rebuild renders into a new dict and swaps it in whole, so a
reader never sees half a build. A failed rebuild keeps the last good site and lays the problems
(``PATH:LINE: FIELD: message``) over every page it serves; the next good build clears them.
"""

from __future__ import annotations

import errno
import hashlib
import html
import ipaddress
import json
import mimetypes
import os
import posixpath
import socket
import stat
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from pathlib import Path

from atlas.content.memo import ParseMemo
from atlas.i18n import LOCALES_DIR
from atlas.incremental import reuse_unaffected, what_changed
from atlas.pipeline import load_atlas, render
from atlas.problems import ContentError, Problem
from atlas.render import STATIC_DIR, TEMPLATES_DIR
from atlas.render.urls import UrlMode
from atlas.resolve import Atlas

POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.02
STATUS_PATH = "/__atlas__/status.json"  # for tests and tools; "_" never starts an output path
DEFAULT_HOST = "127.0.0.1"
PREVIEW = UrlMode("preview")
CLOCK_MARGIN_NS = 2_000_000_000  # file times are coarse (a few ms; FAT: 2 s): saves this close may look alike
MAX_DIGEST_BYTES = 4_000_000  # entries are at most 2 MB; a bigger file is compared by time and size only


class ServeError(Exception):
    """The server cannot start (port in use, unknown host, an address other machines reach); says what to do."""


Snapshot = dict[Path, tuple[int, int, int, str | None]]  # path → (mtime_ns, size, inode, digest or None)


def snapshot(roots: Iterable[Path], racy_after_ns: int = 0) -> Snapshot:
    """Every file under ``roots``: a cheap way to see edits, additions and removals.

    Files changed since ``racy_after_ns`` also get a digest of their bytes: two saves within one tick of the
    file system's clock can leave time and size alike (as git does for "racily clean" files).
    """
    seen: Snapshot = {}
    for root in roots:
        for path in _files_under(root):
            try:
                info = path.stat()
            except OSError:  # removed while we looked, a dangling or looping link
                continue
            # pipes and devices are seen (the build then says what is wrong) but never read: a pipe would block
            racy = stat.S_ISREG(info.st_mode) and info.st_mtime_ns >= racy_after_ns and info.st_size <= MAX_DIGEST_BYTES
            seen[path] = (info.st_mtime_ns, info.st_size, info.st_ino, _digest(path) if racy else None)
    return seen


def _files_under(root: Path) -> Iterator[Path]:
    """Files under ``root`` but not in hidden folders, nor editors' backups; a folder that vanishes is skipped."""
    if root.is_file():
        yield root
        return
    for folder, folders, names in os.walk(root):  # unlike Path.rglob, os.walk skips folders removed meanwhile
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if not name.startswith(".") and not name.endswith(("~", ".swp")):
                yield Path(folder, name)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def changed_paths(before: Snapshot, after: Snapshot) -> set[Path]:
    """Files added, removed or changed between two snapshots (digests count where both have one)."""
    def same(old, new) -> bool:
        if old is None or new is None:
            return old is new
        return old[:3] == new[:3] and (old[3] is None or new[3] is None or old[3] == new[3])
    return {path for path in before.keys() | after.keys() if not same(before.get(path), after.get(path))}


def printable(text: str) -> str:
    """``text`` safe to encode: a file name that is not UTF-8 shows its bytes as ``\\xff`` escapes."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Preview:
    """The last good site in memory, the problems of the latest build, and the rebuild between them."""

    def __init__(self, content_dir: Path, mode: UrlMode = PREVIEW, templates: Path = TEMPLATES_DIR,
                 log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)):
        self.content_dir = Path(content_dir).resolve()
        self.templates = Path(templates).resolve()
        self.mode = mode
        self.log = log
        self.files: dict[str, bytes] = {}
        self.problems: list[str] = []
        self.atlas: Atlas | None = None
        self.generation = 0  # counts builds, good or bad
        self.seconds = 0.0  # how long the latest build took
        self._unbuilt: set[Path] = set()  # changed since the last good build
        self.parses = ParseMemo()  # entry files parsed before: a rebuild parses only those that changed

    @property
    def watched(self) -> tuple[Path, ...]:
        return (self.content_dir, self.templates, STATIC_DIR, LOCALES_DIR)  # an edited catalog redoes every page

    def rebuild(self, changed: Iterable[Path] = ()) -> bool:
        """Build again; on success swap the new site in, else keep the old one and record the problems."""
        started = time.perf_counter()
        self._unbuilt |= set(changed)
        try:
            atlas = load_atlas(self.content_dir, parses=self.parses)
            change = what_changed(self.atlas, atlas, self._unbuilt, self.content_dir,
                                  hashed_assets=self.mode.hashed_assets)
            files = render(atlas, self.mode, reuse=reuse_unaffected(change, self.files), templates=self.templates)
        except ContentError as error:
            self.problems = [printable(self._shown(problem)) for problem in error.problems]
        except Exception as error:  # a bug or a missing install must not stop the preview
            self.problems = [printable(describe_exception(error))]
            self.log(traceback.format_exc().rstrip())
        else:
            self.files, self.atlas, self.problems, self._unbuilt = files, atlas, [], set()
            self.log(f"rebuilt ({change.reason}) in {time.perf_counter() - started:.2f} s")
        self.generation += 1
        self.seconds = time.perf_counter() - started
        for line in self.problems:
            self.log(line)
        if self.problems:
            self.log(f"{len(self.problems)} problem(s); still serving the last good build")
        return not self.problems

    def _shown(self, problem: Problem) -> str:
        """Content problems relative to the content's parent (``content/x.md``), template ones to theirs."""
        base = self.templates if problem.path.is_relative_to(self.templates) else self.content_dir
        return problem.format(base)


def describe_exception(error: BaseException) -> str:
    """``atlas/x.py:LINE: ErrorType: message`` at the innermost frame of our own code."""
    package = Path(__file__).resolve().parent
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).is_relative_to(package)]
    where = "atlas"
    if frames:
        where = f"{Path(frames[-1].filename).relative_to(package.parent).as_posix()}:{frames[-1].lineno}"
    return f"{where}: {type(error).__name__}: {error}"


# --- HTTP: serving the in-memory site ------------------------------------------------------------

def resolve_request(path: str, files: dict[str, bytes]) -> tuple[int, str]:
    """(200, output path) | (301, location) | (403, reason) | (404, reason) for a decoded URL path."""
    if "\\" in path or "\x00" in path or not path.startswith("/"):
        return 403, "refused: not a plain path"
    segments = path.split("/")
    if any(segment in ("..", ".") for segment in segments):
        return 403, "refused: the path leaves the site"
    key = path.lstrip("/")
    if key == "" or key.endswith("/"):
        key += "index.html"
    if key in files:
        return 200, key
    if f"{key}/index.html" in files:
        return 301, path + "/"
    return 404, "no such page"


def catch_up_script(generation: int) -> str:
    """Reload if a build finished while this page was loading (livereload.js was not yet connected)."""
    return (f"<script>(function(){{var built={generation};document.addEventListener('LiveReloadConnect',"
            f"function(){{setTimeout(function(){{var r=new XMLHttpRequest();r.open('GET','{STATUS_PATH}');"
            "r.onload=function(){if(JSON.parse(r.responseText).generation!==built){location.reload();}};r.send();"
            "},100);});})();</script>")


def overlay(problems: list[str]) -> str:
    """The error box laid over the last good page (markup only: it must show even if scripts fail)."""
    lines = html.escape("\n".join(problems))
    return (
        '<div id="atlas-build-errors" role="alert" style="position:fixed;left:0;right:0;top:0;z-index:100000;'
        'max-height:70vh;overflow:auto;background:#fff5f5;color:#5c0011;border-bottom:4px solid #b00020;'
        'padding:12px 20px;font:15px/1.6 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 4px 16px #0004">'
        "<strong>构建失败，下面是上一次成功的版本 · Build failed — showing the last good build</strong>"
        f'<pre style="white-space:pre-wrap;margin:8px 0">{lines}</pre>'
        "<small>修改文件并保存后页面会自动刷新 · Fix the file and save: this page reloads by itself.</small></div>"
    )


def error_page(problems: list[str]) -> bytes:
    """What every page shows when no build has succeeded yet."""
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>构建失败 Build failed</title>'
            f"</head><body>{overlay(problems)}</body></html>").encode()


def missing_page(path: str, generation: int, problems: list[str]) -> bytes:
    """A page that is not in the build (yet): it keeps listening, so it reloads when a save brings it back."""
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>404 没有这个页面 Not found'
            f"</title></head><body><p>没有这个页面 · No page at {html.escape(path)} in the current build.</p>"
            f"{catch_up_script(generation)}{overlay(problems) if problems else ''}</body></html>").encode()


def content_type(path: str) -> str:
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


class PreviewApp:
    """A WSGI app over :class:`Preview`: only files of the current build are ever served."""

    def __init__(self, preview: Preview, waiters: Callable[[], int] = lambda: 0):
        self.preview = preview
        self.waiters = waiters

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        raw = environ.get("PATH_INFO", "/")
        try:  # PEP 3333: the decoded path arrives as latin-1 code points of the raw bytes
            path = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return self._respond(start_response, 400, b"bad path", "text/plain; charset=utf-8")
        if path == STATUS_PATH:
            return self._respond(start_response, 200, self._status(), "application/json")
        preview = self.preview
        if not preview.files:
            return self._respond(start_response, 500, error_page(preview.problems or ["building…"]),
                                 "text/html; charset=utf-8")
        status, found = resolve_request(path, preview.files)
        if status == 301:
            return self._respond(start_response, 301, b"", "text/plain", [("Location", found)])
        if status == 404 and posixpath.splitext(path)[1] in ("", ".html"):  # a page, e.g. its folder was removed
            return self._respond(start_response, 404, missing_page(path, preview.generation, preview.problems),
                                 "text/html; charset=utf-8")
        if status != 200:
            return self._respond(start_response, status, found.encode(), "text/plain; charset=utf-8")
        body = preview.files[found]
        if not found.endswith(".html"):  # assets: the browser may keep them while their bytes stay the same
            tag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if environ.get("HTTP_IF_NONE_MATCH") == tag:
                return self._respond(start_response, 304, b"", content_type(found), [("ETag", tag)])
            return self._respond(start_response, 200, body, content_type(found), [("ETag", tag)])
        extra = catch_up_script(preview.generation) + (overlay(preview.problems) if preview.problems else "")
        head, tail = body.decode("utf-8").rsplit("</body>", 1) if b"</body>" in body else (body.decode(), "")
        return self._respond(start_response, 200, (head + extra + "</body>" + tail).encode("utf-8"),
                             content_type(found))

    def _status(self) -> bytes:
        preview = self.preview
        return json.dumps({"generation": preview.generation, "problems": preview.problems,
                           "pages": sum(1 for p in preview.files if p.endswith(".html")),
                           "seconds": round(preview.seconds, 3), "waiters": self.waiters()}).encode()

    @staticmethod
    def _respond(start_response, status: int, body: bytes, kind: str, extra=()) -> list[bytes]:
        headers = [("Content-Type", kind), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-cache" if status in (200, 304) else "no-store"), *extra]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]


# --- watching and serving ------------------------------------------------------------------------

def check_port(host: str, port: int) -> None:
    """Fail early, with a message, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ServeError(f"cannot resolve --host '{host}'; use an address such as 127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise ServeError(bind_message(error, host, port)) from None


def bind_message(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (is another preview running?); stop it, or choose "
                f"another port: python build.py serve --port {port + 1}")
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; choose a port above 1023, e.g. --port 8000"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; use 127.0.0.1"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is this machine's loopback (127.0.0.0/8, ::1)."""
    if not host.strip():
        raise ServeError("--host needs an address, e.g. --host 127.0.0.1")
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise ServeError(f"cannot resolve --host '{host}'; use an address such as 127.0.0.1") from None
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def check_host(host: str, explicit: bool) -> str | None:
    """Refuse an address other machines can reach unless ``--host`` named it; else a warning, or None."""
    if is_loopback(host):
        return None
    if not explicit:
        raise ServeError(f"refusing to serve the preview on {host}, which other machines can reach; it serves "
                         f"on {DEFAULT_HOST} unless you ask on the command line: python build.py serve --host {host}")
    return f"warning: serving on {host}: other machines on your network can open this preview"


def serve(content_dir: Path, host: str = DEFAULT_HOST, port: int = 8000, *, explicit_host: bool = False) -> None:
    """Build, then serve and rebuild on every change until Ctrl+C. Raises ServeError if it cannot start.

    Only loopback addresses are served unless ``explicit_host`` says the user typed ``--host`` (settings or
    the environment must never open the preview to the network).
    """
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import PeriodicCallback

    warning = check_host(host, explicit_host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    check_port(host, port)
    preview = Preview(content_dir)
    preview.rebuild()

    class AtlasWatcher(Watcher):
        """Polls the inputs every 0.1 s; each change rebuilds, then reloads every open page."""

        def __init__(self) -> None:
            super().__init__()
            self.taken = time.time_ns()
            self.seen = snapshot(preview.watched, self.taken - CLOCK_MARGIN_NS)
            for root in preview.watched:
                self.watch(str(root))  # livereload watches the working directory when given nothing

        def start(self, callback) -> bool:
            PeriodicCallback(self.tick, POLL_SECONDS * 1000).start()
            return True  # livereload then runs no poller of its own

        def examine(self):
            return None, None

        def tick(self) -> None:
            try:
                self.look()
            except Exception:  # noqa: BLE001 - nothing the watcher meets may stop the preview; look again next tick
                preview.log(printable(traceback.format_exc().rstrip()))

        def look(self) -> None:
            taken = time.time_ns()
            racy_after = self.taken - CLOCK_MARGIN_NS  # anything saved since the last look gets a digest
            now = snapshot(preview.watched, racy_after)
            if not changed_paths(self.seen, now):
                return
            for _ in range(10):  # let a save that is still being written finish (truncate, then write)
                time.sleep(SETTLE_SECONDS)
                settled, now = now, snapshot(preview.watched, racy_after)
                if not changed_paths(settled, now):
                    break
            changed = changed_paths(self.seen, now)
            self.seen, self.taken = now, taken
            preview.rebuild(changed)
            self.filepath = _reload_path(changed, preview)
            LiveReloadHandler.reload_waiters(self.filepath)

    server = Server(app=PreviewApp(preview, lambda: len(LiveReloadHandler.waiters)), watcher=AtlasWatcher())
    print(f"Serving the atlas at http://{_url_host(host)}:{port}/ — watching {_shown(preview.content_dir)}, "
          "templates/ and static/; Ctrl+C stops.", file=sys.stderr, flush=True)
    try:
        server.serve(port=port, host=host, debug=False, restart_delay=0, live_css=True)
    except OSError as error:
        raise ServeError(bind_message(error, host, port)) from None


def _reload_path(changed: set[Path], preview: Preview) -> str:
    """A stylesheet's path lets livereload.js swap just the CSS; anything else reloads the page."""
    static = STATIC_DIR.resolve()
    if not preview.problems and all(p.suffix == ".css" and p.resolve().is_relative_to(static) for p in changed):
        return posixpath.join("static", *next(iter(changed)).resolve().relative_to(static).parts)
    return "*"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix() + "/"
    except ValueError:
        return path.as_posix()
