"""Errors raised while compiling or evaluating an expression.

Every error names the expression and the 0-based position it refers to, and renders a caret
under that position, so a bad `when` or `expression` in a pipeline file is easy to locate.
"""

from __future__ import annotations


class ExpressionError(ValueError):
    """An expression could not be compiled (syntax, unknown function, wrong arity...)."""

    kind = "invalid expression"

    def __init__(self, source: str, position: int, reason: str) -> None:
        self.source = source
        self.position = position
        self.reason = reason
        super().__init__(self._render())

    def _render(self) -> str:
        position = max(0, min(self.position, len(self.source)))
        where = "end of expression" if position >= len(self.source) else f"column {position + 1}"
        line = self.source.replace("\n", " ")
        return f"{self.kind} {self.source!r}: {self.reason} (at {where})\n  {line}\n  {' ' * position}^"


class EvaluationError(ExpressionError):
    """A compiled expression failed on a given record (bad conversion, bad argument...)."""

    kind = "error evaluating expression"


class PropertyNotFoundError(EvaluationError):
    """An identifier or property could not be resolved; a `when` condition then is false."""


class CoercionError(Exception):
    """A value cannot be converted as asked; turned into an `EvaluationError` with a position."""
