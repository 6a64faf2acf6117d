"""Errors of rendering and deploying, each naming what was wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable


class DeployError(RuntimeError):
    """A deploy that cannot go on; `problems` lists every reason found, not only the first."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.message = message
        self.problems = list(problems)
        detail = "".join(f"\n  - {problem}" for problem in self.problems)
        super().__init__(message + detail)
