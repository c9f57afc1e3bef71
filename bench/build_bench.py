"""Build times beside Hugo on the same synthetic projects: cold, warm and one-entry rebuilds.

    python bench/build_bench.py                      # N = 1,000, 10,000 and 100,000, 3 runs each (~2 hours)
    python bench/build_bench.py --sizes 1000,10000 --repeats 3   # the quick look (~10 minutes)
    BENCH_SIZES=100000 BENCH_REPEATS=1 python bench/build_bench.py

Both sites come from one source (bench/corpus.py). Ours is `build.py build` in a fresh process;
Hugo is Debian's `hugo`. Cold: no output and no cache. Warm: the same build again, nothing changed
(Hugo has no persistent render cache, so its warm run re-renders everything). One entry: one project
file edited, then ours runs `build.py build` again (a whole process, using its cache) while Hugo's
figure is `hugo server`'s own "Total in … ms" for the same edit (its fastest path, in memory).
"One entry, preview server" is our counterpart: the same edit rebuilt by `serve`'s in-memory Preview
(``Preview.rebuild``, after a first full build in that process), without the watcher's 0.1 s poll.
Wall seconds are medians; memory is the peak resident size of the build process.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402

BASE_URL = "https://example.org/atlas/"


@dataclass
class Run:
    seconds: float
    peak_mib: float


@dataclass
class Row:
    tool: str
    size: int
    case: str
    runs: list[Run]
    pages: int
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak(self) -> float:
        return max(run.peak_mib for run in self.runs)


def timed(command: list[str], cwd: Path | None = None) -> Run:
    """Run ``command``; its wall time and its peak resident memory (from wait4, this child only)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{process.stderr.read().decode()}")
    process.stderr.close()
    return Run(seconds, usage.ru_maxrss / 1024)


def html_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def edit(path: Path, round_: int) -> None:
    """A one-line change to an entry's body, different each round."""
    text = path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n<!-- edit", 1)[0]
    path.write_text(f"{text}\n<!-- edit {round_} -->\n", encoding="utf-8")


def ours(size: int, content: Path, work: Path, repeats: int, cold_only: bool = False) -> list[Row]:
    out, cache = work / "site", work / ".atlas-cache"  # builds run in ``work``, so their cache is there
    command = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content), "--out", str(out),
               "--base-url", BASE_URL, "--quiet"]
    cold = []
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed(command, cwd=work))
    pages = html_count(out)
    if cold_only:
        return [Row("atlas", size, "cold full build", cold, pages)]
    warm = [timed(command, cwd=work) for _ in range(repeats)]
    target = sorted((content / "projects").glob("*.md"))[size // 2]
    one = []
    for round_ in range(repeats):
        edit(target, round_)
        one.append(timed(command, cwd=work))
    return [Row("atlas", size, "cold full build", cold, pages),
            Row("atlas", size, "warm full build", warm, pages),
            Row("atlas", size, "one entry edited", one, pages, "build.py build, new process"),
            preview_rebuilds(size, content, target, repeats)]


def preview_rebuilds(size: int, content: Path, target: Path, repeats: int) -> Row:
    """The preview server's rebuild after the same edit, timed in a process of its own (``--preview-probe``)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--preview-probe", str(content), "--target", str(target),
               "--repeats", str(repeats)]
    started = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit(f"preview probe failed after {time.perf_counter() - started:.0f} s:\n{process.stderr}")
    lines = process.stdout.split()
    pages, seconds = int(lines[0]), [float(value) for value in lines[1:]]
    return Row("atlas", size, "one entry, preview", [Run(value, 0.0) for value in seconds], pages,
               "serve's in-memory rebuild")


def preview_probe(content: Path, target: Path, repeats: int) -> None:
    """Print the page count, then the seconds of ``repeats`` preview rebuilds after one-entry edits."""
    from atlas.serve import Preview

    preview = Preview(content, log=lambda line: None)
    if not preview.rebuild():
        raise SystemExit("\n".join(preview.problems))
    print(sum(1 for name in preview.files if name.endswith(".html")))
    for round_ in range(repeats):
        edit(target, 1000 + round_)
        started = time.perf_counter()
        if not preview.rebuild([target]):
            raise SystemExit("\n".join(preview.problems))
        print(f"{time.perf_counter() - started:.4f}")


def hugo(size: int, site: Path, work: Path, repeats: int, cold_only: bool = False) -> list[Row]:
    public = work / "public"
    command = ["hugo", "--quiet", "-s", str(site), "-d", str(public)]
    cold = []
    for _ in range(repeats):
        shutil.rmtree(public, ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        cold.append(timed(command))
    pages = html_count(public)
    if cold_only:
        return [Row("hugo", size, "cold full build", cold, pages)]
    warm = [timed(command) for _ in range(repeats)]
    return [Row("hugo", size, "cold full build", cold, pages),
            Row("hugo", size, "warm full build", warm, pages, "re-renders all"),
            Row("hugo", size, "one entry edited", hugo_server_rebuilds(site, size, repeats), pages,
                "hugo server, in memory")]


def hugo_server_rebuilds(site: Path, size: int, repeats: int, port: int = 18_431) -> list[Run]:
    """Edit one page under ``hugo server`` and read its own rebuild time ("Total in N ms")."""
    server = subprocess.Popen(["hugo", "server", "-s", str(site), "--bind", "127.0.0.1", "--port", str(port),
                               "--disableLiveReload"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        _wait_for(server, "Web Server is available", timeout=600)
        target = sorted((site / "content" / "projects").glob("*.md"))[size // 2]
        runs = []
        for round_ in range(repeats):
            time.sleep(1.0)  # the watcher batches events; let the previous edit settle
            edit(target, round_)
            line = _wait_for(server, "Total in", timeout=120)
            runs.append(Run(int(re.search(r"Total in (\d+) ms", line).group(1)) / 1000, 0.0))
        return runs
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for(process: subprocess.Popen, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        if text in line:
            return line
        if time.monotonic() > deadline:
            break
    raise SystemExit(f"hugo server never printed '{text}'")


PEER_CASE = {"one entry, preview": "one entry edited"}  # hugo server's rebuild is in memory too


def table(rows: list[Row]) -> str:
    hugo_rows = {(r.size, r.case): r for r in rows if r.tool == "hugo"}
    lines = [f"{'N':>8} {'case':<18} {'tool':<6} {'median s':>9} {'runs':>4} {'peak MiB':>9} {'pages':>7} "
             f"{'× hugo':>7}  note",
             "-" * 96]
    for row in rows:
        peer = hugo_rows.get((row.size, PEER_CASE.get(row.case, row.case)))
        ratio = f"{row.median / peer.median:7.2f}" if peer and row.tool != "hugo" and peer.median else " " * 7
        peak = f"{row.peak:9.0f}" if row.peak else f"{'—':>9}"
        lines.append(f"{row.size:>8,} {row.case:<18} {row.tool:<6} {row.median:9.3f} {len(row.runs):>4} {peak} "
                     f"{row.pages:>7,} {ratio}  {row.note}")
    return "\n".join(lines)


def targets(rows: list[Row]) -> str:
    """The targets of issue #8, met or not, at the largest size that has both tools (10,000 if run)."""
    get = {(r.tool, r.size, r.case): r for r in rows}
    size = 10_000 if ("atlas", 10_000, "one entry edited") in get else max(r.size for r in rows)
    if ("atlas", size, "one entry edited") not in get:
        return f"targets: not judged (--cold-only at N = {size:,})"
    a = {case: get[("atlas", size, case)] for case in ("cold full build", "warm full build", "one entry edited")}
    h = {case: get[("hugo", size, case)] for case in ("cold full build", "warm full build", "one entry edited")}
    checks = [
        ("cold full build ≤ 1.0 × hugo", a["cold full build"].median / h["cold full build"].median, 1.0),
        ("warm full build ≤ 0.3 × hugo cold", a["warm full build"].median / h["cold full build"].median, 0.3),
        ("one entry ≤ 0.150 s", a["one entry edited"].median, 0.150),
        *([("one entry, preview ≤ 0.150 s", get[("atlas", size, "one entry, preview")].median, 0.150)]
          if ("atlas", size, "one entry, preview") in get else []),
        ("peak memory ≤ hugo's", a["cold full build"].peak / h["cold full build"].peak, 1.0),
    ]
    big = get.get(("atlas", 100_000, "cold full build"))
    if big and ("atlas", 10_000, "cold full build") in get:
        checks.append(("t(100k) / t(10k) ≤ 11", big.median / get[("atlas", 10_000, "cold full build")].median, 11))
    lines = [f"targets at N = {size:,}:"]
    lines += [f"  {'met ' if value <= limit else 'MISS'} {name}: {value:.3f}" for name, value, limit in checks]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,10000,100000"),
                         help="comma-separated project counts (default 1000,10000,100000)")
    options.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "3")))
    options.add_argument("--cold-only", action="store_true", default=bool(os.environ.get("BENCH_COLD_ONLY")),
                         help="only the cold full build (for a quick look at the largest size)")
    options.add_argument("--work", type=Path, help="keep the generated sites here (default: a temporary folder)")
    options.add_argument("--preview-probe", type=Path, help=argparse.SUPPRESS)  # a content folder (see preview_probe)
    options.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = options.parse_args(argv)
    if args.preview_probe:
        preview_probe(args.preview_probe, args.target, args.repeats)
        return 0
    if shutil.which("hugo") is None:
        raise SystemExit("hugo is not installed: `make bench` installs Debian's package (apt-get install hugo)")
    rows: list[Row] = []
    load = os.getloadavg()
    work_root = args.work or Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            work = work_root / str(size)
            content, site = write_corpus(size, work)
            rows += hugo(size, site, work, args.repeats, args.cold_only)
            rows += ours(size, content, work, args.repeats, args.cold_only)
            print(f"… {size:,} projects done (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work_root, ignore_errors=True)
    print(f"Build benchmark, {os.cpu_count()} cores, load average {load[0]:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end")
    print(table(rows))
    print(targets(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
