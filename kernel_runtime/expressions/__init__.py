"""LangStream's expression language (Jakarta EL as LangStream configures it), without `eval`.

Used by `when` conditions and by computed fields (`compute`, `timer-source`, `trigger-event`,
`log-event`, `dispatch`). Expressions are tokenized, parsed to an AST and compiled to closures
once; evaluation only walks those closures over the record's variables.
"""

from __future__ import annotations

from kernel_runtime.expressions.context import VARIABLES, attempt_json_object, record_variables
from kernel_runtime.expressions.conversion import SCHEMA_TYPES, coerce_to_type
from kernel_runtime.expressions.errors import (
    CoercionError,
    EvaluationError,
    ExpressionError,
    PropertyNotFoundError,
)
from kernel_runtime.expressions.expression import Expression, compile_expression, evaluate_condition
from kernel_runtime.expressions.functions import FUNCTIONS, set_clock, to_json

__all__ = [
    "FUNCTIONS",
    "SCHEMA_TYPES",
    "VARIABLES",
    "CoercionError",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "PropertyNotFoundError",
    "attempt_json_object",
    "coerce_to_type",
    "compile_expression",
    "evaluate_condition",
    "record_variables",
    "set_clock",
    "to_json",
]
