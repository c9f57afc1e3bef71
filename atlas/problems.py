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
            for path in (self.path, self.path.resolve()):  # resolve() in case the content path is a symlink
                try:
                    shown = path.relative_to(root.parent)
                    break
                except ValueError:
                    pass
        message = " ".join(self.message.split())  # one problem, one line
        return f"{shown.as_posix()}:{self.line}: {self.field}: {message}"


class ContentError(Exception):
    """Raised when content has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in content")
        self.problems = sorted(problems)
