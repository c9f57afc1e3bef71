"""Problems found in content: collected, never raised one at a time, reported together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    field: str
    message: str

    def format(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None:
            shown = _relative(self.path, root.parent)
            if shown is None:  # perhaps the content path is given through a link
                try:
                    shown = _relative(self.path.resolve(), root.parent)
                except (OSError, RuntimeError):  # a link loop: show the path as it is
                    shown = None
            shown = shown or self.path
        message = " ".join(self.message.split())  # one problem, one line
        return f"{shown.as_posix()}:{self.line}: {self.field}: {message}"


def _relative(path: Path, folder: Path) -> Path | None:
    try:
        return path.relative_to(folder)
    except ValueError:
        return None


class ContentError(Exception):
    """Raised when content has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in content")
        self.problems = sorted(problems)
