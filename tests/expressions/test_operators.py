"""EL operator semantics as LangStream applies them (JstlPredicateTest, Tomcat EL rules)."""

from __future__ import annotations

import math

import pytest

from kernel_runtime.expressions import (
    EvaluationError,
    PropertyNotFoundError,
    compile_expression,
    evaluate_condition,
)
from kernel_runtime.records import StreamRecord

INT_RECORD = StreamRecord(33, "header-key")
KV_RECORD = StreamRecord(42, "key")
STRING_RECORD = StreamRecord("test-message", "header-key")


def ev(source: str, record: StreamRecord = INT_RECORD) -> object:
    return compile_expression(source).evaluate(record)


def cond(source: str, record: StreamRecord) -> bool:
    return evaluate_condition(compile_expression(source), record)


@pytest.mark.parametrize(
    ("when", "record", "match"),
    [
        ("value=='test-message'", STRING_RECORD, True),
        ("messageKey=='header-key'", STRING_RECORD, True),
        ("key=='header-key'", STRING_RECORD, True),
        ("value==33", INT_RECORD, True),
        ("value eq 33", INT_RECORD, True),
        ("value eq 32 + 1", INT_RECORD, True),
        ("value eq 34 - 1", INT_RECORD, True),
        ("value eq 66 / 2", INT_RECORD, True),
        ("value eq 66 div 2", INT_RECORD, True),
        ("value % 10 == 3", INT_RECORD, True),
        ("value mod 10 == 3", INT_RECORD, True),
        ("value>32", INT_RECORD, True),
        ("value gt 32", INT_RECORD, True),
        ("value<=33 && key=='header-key'", INT_RECORD, True),
        ("key=='key' && value==42", KV_RECORD, True),
        ("key=='key' and value==42", KV_RECORD, True),
        ("key=='key1' || value==42", KV_RECORD, True),
        ("key=='key1' or value==42", KV_RECORD, True),
        ("value=='test-message-'", STRING_RECORD, False),
        ("key!='header-key'", STRING_RECORD, False),
        ("key ne 'header-key'", STRING_RECORD, False),
        ("value==34", INT_RECORD, False),
        ("value>33", INT_RECORD, False),
        ("value<=20 && key=='test-key'", INT_RECORD, False),
        ("value le 20 && key=='test-key'", INT_RECORD, False),
        ("key=='key' && value<42", KV_RECORD, False),
    ],
)
def test_langstream_predicates(when: str, record: StreamRecord, match: bool) -> None:
    assert cond(when, record) is match


NESTED = StreamRecord(
    '{"level1String": "level1_1", "level1Record": {"level2String": "level2_1",'
    ' "level2Integer": 9, "level2Double": 8.8, "level2Array": ["level2_1", "x"]}}',
    '{"level1String": "level1_1"}',
    [("p1", "v1"), ("p2", b"v2")],
    "topic-1",
)


@pytest.mark.parametrize(
    ("when", "match"),
    [
        ("key.level1String == 'level1_1'", True),
        ("value.level1Record.level2String == 'level2_1'", True),
        ("value.level1Record.level2Integer == 9", True),
        ("value.level1Record.level2Double == 8.8", True),
        ("value.level1Record.level2Array[0] == 'level2_1'", True),
        ("value['level1Record']['level2Integer'] > 8", True),
        ("value.level1Record.level2Double < 8.9", True),
        ("topicName == 'topic-1'", True),
        ("properties.p1 == 'v1'", True),
        ("properties.p2 == 'v2'", True),
        ("key.level1String == 'leVel1_1'", False),
        ("value.level1Record.random == 'level2_1'", False),
        ("value.level1Record.level2Array[5] == 'x'", False),
        ("key.randomKey == 'k1'", False),
        ("value.randomValue < 0", False),
        ("topicName != 'topic-1'", False),
        ("randomHeader == 'h1'", False),  # unknown variable: a false condition, not an error
        ("destinationTopic == 'x'", False),
    ],
)
def test_nested_json_access(when: str, match: bool) -> None:
    assert cond(when, NESTED) is match


def test_json_value_in_bytes_is_parsed() -> None:
    record = StreamRecord(b'{"a": {"b": 1}}')
    assert ev("value.a.b", record) == 1


def test_non_json_string_has_no_properties() -> None:
    record = StreamRecord("plain text")
    with pytest.raises(PropertyNotFoundError, match="not JSON"):
        ev("value.x", record)
    assert cond("value.x == 'a'", record) is False


def test_json_array_value_is_not_parsed() -> None:
    assert ev("value", StreamRecord("[1, 2]")) == "[1, 2]"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2", 3),
        ("'1' + 2", 3),
        ("'1.5' + 1", 2.5),
        ("null + null", 0),
        ("null + 1", 1),
        ("7 / 2", 3.5),
        ("6 / 3", 2.0),
        ("-7 % 3", -1),
        ("7.5 % 2", 1.5),
        ("-'3'", -3),
        ("-null", 0),
        ("3 * 1.5", 4.5),
        ("1 / 0", math.inf),
        ("9223372036854775807 + 1", -9223372036854775808),
    ],
)
def test_arithmetic(source: str, expected: object) -> None:
    result = ev(source)
    assert result == expected
    assert type(result) is type(expected)


def test_zero_divided_by_zero_is_nan() -> None:
    assert math.isnan(ev("0 / 0"))  # type: ignore[arg-type]


@pytest.mark.parametrize("source", ["'abc' + 1", "true + 1", "1 % 0", "-'x'", "{} + 1"])
def test_arithmetic_errors(source: str) -> None:
    with pytest.raises(EvaluationError) as info:
        ev(source)
    assert info.value.source == source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'5' == 5", True),
        ("'3.0' == 3", True),  # through JstlTypeConverter: via double
        ("5 == 5.0", True),
        ("'a' == 'a'", True),
        ("true == 'TRUE'", True),
        ("null == null", True),
        ("null == 0", False),
        ("'10' > 9", True),
        ("'b' > 'a'", True),
        ("'abc' < 'abd'", True),
        ("null < 1", False),
        ("1 > null", False),
        ("2 >= 2.0", True),
        ("[1, 2] == [1, 2]", True),
    ],
)
def test_comparisons(source: str, expected: bool) -> None:
    assert ev(source) is expected


def test_comparing_text_with_number_fails() -> None:
    with pytest.raises(EvaluationError, match="cannot convert 'abc'"):
        ev("'abc' == 5")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("empty null", True),
        ("empty ''", True),
        ("empty []", True),
        ("empty {}", True),
        ("empty 'x'", False),
        ("empty 0", False),
        ("not empty value", True),
        ("!null", True),
        ("null && true", False),
        ("'true' && 'TRUE'", True),
        ("'yes' || false", False),
        ("false && (1 / 'x')", False),  # short-circuit
        ("true || (1 / 'x')", True),
    ],
)
def test_boolean_logic(source: str, expected: bool) -> None:
    assert ev(source) is expected


def test_boolean_coercion_of_number_fails() -> None:
    with pytest.raises(EvaluationError, match="boolean"):
        ev("1 && true")


def test_condition_truthiness() -> None:
    record = StreamRecord('{"flag": "true", "n": 1, "s": "yes"}')
    assert cond("value.flag", record) is True
    assert cond("value.s", record) is False
    assert cond("value.missing", record) is False
    with pytest.raises(EvaluationError):
        cond("value.n", record)


def test_list_indexing() -> None:
    record = StreamRecord({"l": [10, 20, 30]})
    assert ev("value.l[1]", record) == 20
    assert ev("value.l['2']", record) == 30
    assert ev("value.l[1.9]", record) == 20
    assert ev("value.l[3]", record) is None
    assert ev("value.l[-1]", record) is None
    assert ev("value.missing[0]", record) is None
    assert ev("value.l[null]", record) is None


def test_property_of_null_is_null() -> None:
    assert ev("value.a.b.c", StreamRecord({"a": None})) is None


def test_extra_variables() -> None:
    expression = compile_expression("value.x + bonus")
    assert expression.evaluate(StreamRecord({"x": 1}), {"bonus": 2}) == 3


def test_dict_value_is_not_mutated() -> None:
    value = {"a": {"b": 1}}
    compile_expression("fn:mapPut(value.a, 'c', 2)").evaluate(StreamRecord(value))
    assert value == {"a": {"b": 1}}


def test_evaluation_error_has_position() -> None:
    with pytest.raises(EvaluationError) as info:
        ev("1 + fn:toInt('x')")
    assert info.value.position == 4
