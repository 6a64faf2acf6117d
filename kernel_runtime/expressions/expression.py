"""Public entry points: compile once (at agent init), evaluate per record."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from langstream import Record

from kernel_runtime.expressions.context import record_variables
from kernel_runtime.expressions.errors import PropertyNotFoundError
from kernel_runtime.expressions.evaluator import Compiled, compile_source, condition_value

log = logging.getLogger(__name__)


class Expression:
    """A compiled expression; `source` is the text as written (with or without `${...}`)."""

    __slots__ = ("source", "_compiled", "_warned")

    def __init__(self, source: str, compiled: Compiled) -> None:
        self.source = source
        self._compiled = compiled
        self._warned = False

    def evaluate(self, record: Record, extra: Mapping[str, Any] | None = None) -> object:
        """Evaluate over `record`'s variables, plus (or overridden by) `extra`."""
        variables = record_variables(record)
        if extra:
            variables.update(extra)
        return self._compiled(variables)

    def evaluate_variables(self, variables: Mapping[str, Any]) -> object:
        """Evaluate over explicit variables (agents that keep a mutable view of the record)."""
        return self._compiled(variables)

    def test(self, variables: Mapping[str, Any]) -> bool:
        """As a `when` condition: a missing property makes it false (logged once)."""
        try:
            return condition_value(self._compiled(variables), self.source)
        except PropertyNotFoundError as error:
            if not self._warned:
                self._warned = True
                log.warning("condition %r is false: %s", self.source, error.reason)
            return False

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(source: str) -> Expression:
    """Compile `source` ("value.x == 'a'" or "${value.x == 'a'}"); raises `ExpressionError`."""
    if not isinstance(source, str):
        raise TypeError(f"an expression must be a string, not {type(source).__name__}")
    return Expression(source, compile_source(source))


def evaluate_condition(expr: Expression, record: Record | Mapping[str, Any]) -> bool:
    """EL truthiness of `expr` for a `when`: null is false, a missing property is false."""
    variables = record if isinstance(record, Mapping) else record_variables(record)
    return expr.test(variables)
