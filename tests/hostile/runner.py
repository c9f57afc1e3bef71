"""Run hostile cases one after another in this process, each under its own time limit; print a JSON line each.

tests/test_hostile.py starts this script in a subprocess with a memory limit (RLIMIT_AS) and an overall
timeout. Importing the site generator once keeps dozens of cases fast, while each case still gets its own
time limit, its exact stderr and exit code. Reads a JSON list of jobs on stdin:
``{"id": …, "seconds": limit, "args": [build.py arguments]}`` runs the command line;
``{"id": …, "seconds": limit, "validate": CONTENT}`` only loads and validates (what `check` does first).
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


class TimeLimit(BaseException):
    """Raised in the case that ran out of time (a BaseException, so no `except Exception` swallows it)."""


def _out_of_time(signum, frame):
    raise TimeLimit


def validate(content: str) -> int:
    from atlas.cli import report_problems
    from atlas.content import read_content
    from atlas.problems import ContentError

    try:
        loaded = read_content(Path(content))
    except ContentError as error:
        report_problems(error, Path(content))
        return 1
    print(f"valid: {len(loaded.projects)} projects")
    return 0


def run(job: dict) -> dict:
    from atlas.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, job["seconds"])
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = validate(job["validate"]) if "validate" in job else main(job["args"])
    except TimeLimit:
        code = "timeout"
    except SystemExit as exit_:
        code = exit_.code
    except BaseException:  # noqa: BLE001 - a crash is an outcome the test reports, with its traceback
        code = "crash"
        stderr.write(traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"id": job["id"], "code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(),
            "seconds": round(time.perf_counter() - started, 3),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}  # this process so far


def main() -> None:
    signal.signal(signal.SIGALRM, _out_of_time)
    for job in json.loads(sys.stdin.read()):
        print(json.dumps(run(job), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
