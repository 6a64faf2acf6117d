"""Problems found in an application folder, and the error that carries all of them.

Every check reports into a `ProblemSink` instead of raising, so one run over a folder
lists every problem with its file, line and field path, not just the first one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
PathKey = str | int
NodePath = tuple[PathKey, ...]


def format_path(path: Iterable[PathKey]) -> str:
    """`("pipeline", 0, "type")` -> `pipeline[0].type`; keys with dots are quoted."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif "." in key or " " in key or not key:
            out += f"[{key!r}]"
        else:
            out += f".{key}" if out else key
    return out


@dataclass(frozen=True)
class Location:
    """Where a model element was written: file name and 1-based line (None if unknown)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class Problem:
    """One problem: what is wrong, where (file, line, field path) and how to fix it."""

    file: str
    line: int | None
    path: str
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{self.message} in {where}"
        if self.path:
            text += f" ({self.path})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class ApplicationError(ValueError):
    """The application folder (or its instance/secrets file) has errors; `.problems` has all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the application:"
        lines = [str(p) if p.severity == "error" else f"warning: {p}" for p in self.problems]
        return "\n".join([head, *lines])


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Closest candidate for a misspelt key or name, tolerant of case and -/_ spelling."""
    options = [c for c in candidates if isinstance(c, str)]
    if not word or not options:
        return None
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if found:
        return found[0]
    norm = {c.replace("-", "").replace("_", "").lower(): c for c in options}
    key = word.replace("-", "").replace("_", "").lower()
    if key in norm:
        return norm[key]
    found = difflib.get_close_matches(key, list(norm), n=1, cutoff=0.6)
    return norm[found[0]] if found else None


def suggestion(word: str, candidates: Iterable[str], *, what: str = "") -> str | None:
    """A "did you mean 'x'?" hint, or the list of valid choices when nothing is close."""
    options = sorted({c for c in candidates if isinstance(c, str)})
    close = did_you_mean(word, options)
    if close is not None:
        return f"did you mean '{close}'?"
    if options and len(options) <= 12:
        return f"expected {what + ' ' if what else ''}one of: " + ", ".join(options)
    return None


@dataclass
class ProblemSink:
    """Collects problems; looks up line numbers from the YAML line maps it knows."""

    lines: dict[str, Mapping[NodePath, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # files that could not be read as a whole (broken YAML...): cross-file checks hold back
    unreadable: set[str] = field(default_factory=set)

    def line(self, file: str, path: NodePath) -> int | None:
        """Line of `path` in `file`, or of its nearest ancestor that has one."""
        table = self.lines.get(file)
        if not table:
            return None
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def add(
        self,
        file: str,
        path: NodePath,
        message: str,
        hint: str | None = None,
        severity: Severity = "error",
        *,
        line: int | None = None,
    ) -> Problem:
        problem = Problem(
            file=file,
            line=line if line is not None else self.line(file, path),
            path=format_path(path),
            message=message,
            hint=hint,
            severity=severity,
        )
        if problem not in self.problems:
            self.problems.append(problem)
        return problem

    def error(self, file: str, path: NodePath, message: str, hint: str | None = None) -> Problem:
        return self.add(file, path, message, hint, "error")

    def warning(self, file: str, path: NodePath, message: str, hint: str | None = None) -> Problem:
        return self.add(file, path, message, hint, "warning")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def sorted(self, problems: list[Problem]) -> list[Problem]:
        """By file (in the order files were read, then first reported), then line."""
        order: dict[str, int] = {}
        for file in self.lines:
            order.setdefault(file, len(order))
        for p in self.problems:
            order.setdefault(p.file, len(order))
        return sorted(problems, key=lambda p: (order[p.file], p.line or 0))

    def raise_if_errors(self) -> None:
        """Raise ApplicationError with every problem (errors first) when any error was found."""
        if self.errors:
            raise ApplicationError(self.sorted(self.errors) + self.sorted(self.warnings))
