"""Compilation: what parses, and the errors for what does not (expression, position, reason)."""

from __future__ import annotations

import pytest

from kernel_runtime.expressions import ExpressionError, compile_expression
from kernel_runtime.records import StreamRecord


def evaluate(source: str, value: object = None, **kwargs: object) -> object:
    return compile_expression(source).evaluate(StreamRecord(value, **kwargs))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 2 - 3", 5),
        ("true ? 'a' : 'b'", "a"),
        ("false ? 'a' : true ? 'b' : 'c'", "b"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("'a\\nb'", "a\\nb"),  # unknown escapes are kept as typed
        ("1.5", 1.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("null", None),
        ("[1, 'two', null]", [1, "two", None]),
        ("{'a': 1, 'b': [2]}", {"a": 1, "b": [2]}),
        ("{}", {}),
        ("{1, 2}", {1, 2}),
        ("${1 + 1}", 2),
        ("  ${ 'x' }  ", "x"),
        ("not true", False),
        ("! false", True),
        ("1 lt 2 and 2 gt 1", True),
        ("'a' += 'b' += 1", "ab1"),
    ],
)
def test_valid_expressions(source: str, expected: object) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [
        ("value.x ==", 10, "expected a value after '=='"),
        ("value.x == 'a", 11, "unterminated string"),
        ("(value.x", 8, "expected ')'"),
        ("value.toUpperCase() == 'A'", 6, "use fn:uppercase(x)"),
        ("value.substring(0, 2)", 6, "method calls"),
        ("fn:nope(value)", 0, "unknown function fn:nope"),
        ("fn:uppercase(value, 1)", 0, "fn:uppercase takes 1 argument, 2 given"),
        ("fn:mapPut(value)", 0, "takes 3 arguments"),
        ("x:uppercase(value)", 0, "unknown function prefix 'x'"),
        ("uppercase(value)", 0, "functions are called as fn:uppercase"),
        ("value.x = 1", 8, "assignment"),
        ("a; b", 1, "';'"),
        ("value # 1", 6, "unexpected character '#'"),
        ("value.", 6, "expected a property name"),
        ("", 0, "empty"),
        ("${}", 2, "empty"),
        ("1 2", 2, "expected an operator"),
        ("fn:filter(value, 'record.x ==')", 17, "fn:filter condition"),
        ("value ? 1", 9, "expected ':'"),
    ],
)
def test_errors_name_expression_and_position(source: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    error = info.value
    assert error.source == source
    assert error.position == position
    assert fragment in str(error)
    assert repr(source) in str(error)


def test_error_message_points_at_the_column() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("value.a && && value.b")
    lines = str(info.value).splitlines()
    assert "column 12" in lines[0]
    assert lines[-1].index("^") - 2 == 11


def test_expression_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        compile_expression("(")


def test_non_string_source_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        compile_expression(42)  # type: ignore[arg-type]


def test_source_is_kept() -> None:
    assert compile_expression("${value}").source == "${value}"
