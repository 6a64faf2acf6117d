"""fn: functions, checked against LangStream's JstlFunctionsTest and JstlEvaluatorTest cases."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from kernel_runtime.expressions import EvaluationError, compile_expression, set_clock
from kernel_runtime.records import StreamRecord

BYTES = StreamRecord(b"Test-Message ")
UTC = dt.UTC


def ev(source: str, record: StreamRecord = BYTES) -> object:
    return compile_expression(source).evaluate(record)


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def fixed_clock() -> Iterator[dt.datetime]:
    now = dt.datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC)
    set_clock(lambda: now)
    yield now
    set_clock(None)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fn:uppercase('test')", "TEST"),
        ("fn:uppercase(value) == 'TEST-MESSAGE '", True),
        ("fn:uppercase(null)", None),
        ("fn:uppercase(10)", "10"),
        ("fn:lowercase('TEST')", "test"),
        ("fn:lowercase(value) == 'test-message '", True),
        ("fn:lowercase(null)", None),
        ("fn:coalesce(null, 'another-value')", "another-value"),
        ("fn:coalesce('value', 'another-value')", "value"),
        ("fn:coalesce(fn:str(value), 'another-value')", "Test-Message "),
        ("fn:contains(value, 'Test')", True),
        ("fn:contains(value, 'random')", False),
        ("fn:contains(null, 'random')", False),
        ("fn:contains(value, null)", False),
        ("fn:contains(123, 3)", True),
        ("fn:contains('123', 4)", False),
        ("fn:trim('    trimmed      ')", "trimmed"),
        ("fn:trim(value)", "Test-Message"),
        ("fn:trim(null)", None),
        ("fn:concat(value, 'suffix')", "Test-Message suffix"),
        ("fn:concat(value, null)", "Test-Message "),
        ("fn:concat(null, 'suffix')", "suffix"),
        ("fn:concat(1, 2)", "12"),
        ("fn:concat(null, null)", ""),
        ("fn:concat('a', 'b', 'c', 1.0)", "abc1.0"),
        ("fn:concat3('a', null, 'c')", "ac"),
        ("fn:replace(value, '.*-', '')", "Message "),
        ("fn:replace('Test-Message test', value, '')", "test"),
        ("fn:replace('Something test', '.* ', value)", "Test-Message test"),
        ("fn:replace(null, '.* ', '')", None),
        ("fn:replace('test', null, '')", "test"),
        ("fn:replace('test', '.*', null)", "test"),
        ("fn:replace('a-b', '(\\\\w)-(\\\\w)', '$2-$1')", "b-a"),
        ("fn:length(value)", 13),
        ("fn:length(null)", 0),
        ("fn:str(null)", ""),
        ("fn:str(1.0)", "1.0"),
        ("fn:str(10000000.0)", "1.0E7"),
        ("fn:str(true)", "true"),
        ("fn:toString(fn:listOf(1, 'a', null))", "[1, a, null]"),
        ('fn:str(fn:fromJson(\'{"this":"that"}\'))', "{this=that}"),
    ],
)
def test_string_functions(source: str, expected: object) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fn:toDouble('1.2')", 1.2),
        ("fn:toDouble(null)", None),
        ("fn:toInt('1.2')", 1),
        ("fn:toInt(null)", None),
        ("fn:toInt(3.99)", 3),
        ("fn:toLong('42')", 42),
        ("fn:toListOfFloat(fn:listOf(1, '2.5'))", [1.0, 2.5]),
        ("fn:toListOfFloat(null)", None),
        ("fn:decimalFromUnscaled('12345678', 4)", Decimal("1234.5678")),
        ("fn:decimalFromUnscaled(12345678, '4')", Decimal("1234.5678")),
        ("fn:decimalFromNumber(1234567)", Decimal("1234567.0")),
        ("fn:decimalFromNumber('12.5')", Decimal("12.5")),
    ],
)
def test_conversions(source: str, expected: object) -> None:
    result = ev(source)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "source", ["fn:toInt('abc')", "fn:toDouble(true)", "fn:toListOfFloat('x')"]
)
def test_conversion_errors(source: str) -> None:
    with pytest.raises(EvaluationError):
        ev(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fn:split('1,2', ',')", ["1", "2"]),
        ("fn:split('', ',')", []),
        ("fn:split(null, ',')", None),
        ("fn:split('a1b22c', '\\\\d+')", ["a", "b", "c"]),
        ("fn:split('a,b,,', ',')", ["a", "b"]),
        ("fn:unpack('1,2', 'field1,field2')", {"field1": "1", "field2": "2"}),
        ("fn:unpack('', 'field1,field2')", {"field1": None, "field2": None}),
        ("fn:unpack(null, 'field1,field2')", None),
        ("fn:unpack('1,2', 'f1,f2,f3')", {"f1": "1", "f2": "2", "f3": None}),
        ("fn:unpack(fn:split('1:2', ':'), 'f1,f2')", {"f1": "1", "f2": "2"}),
        ("fn:unpack(fn:listOf(1.0, 2.0), 'f1,f2')", {"f1": 1.0, "f2": 2.0}),
        ("fn:toJson(fn:mapOf('field1', 1))", '{"field1":1}'),
        ("fn:toJson(null)", "null"),
        ("fn:toJson('')", '""'),
        ("fn:toJson(fn:listOf(1, 2, 3))", "[1,2,3]"),
        ("fn:fromJson('{\"field1\":1}')", {"field1": 1}),
        ("fn:fromJson(null)", None),
        ("fn:fromJson('null')", None),
        ("fn:fromJson('')", None),
        ("fn:fromJson('\"\"')", ""),
        ("fn:fromJson('[1,2,3]')", [1, 2, 3]),
    ],
)
def test_split_unpack_json(source: str, expected: object) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fn:emptyList()", []),
        ("fn:emptyMap()", {}),
        ("fn:listOf()", []),
        ("fn:listAdd(fn:emptyList(), 1)", [1]),
        ("fn:addAll(fn:listOf(1), fn:listOf(2, 3))", [1, 2, 3]),
        ("fn:addAll(null, fn:listOf(2))", [2]),
        ("fn:mapOf('a', 1, 'b', null)", {"a": 1, "b": None}),
        ("fn:mapPut(null, 'a', 1)", {"a": 1}),
        ("fn:mapPut(fn:mapOf('a', 1), 'b', 2)", {"a": 1, "b": 2}),
        ("fn:mapRemove(fn:mapOf('a', 1, 'b', 2), 'a')", {"b": 2}),
        ("fn:mapToListOfStructs(fn:mapOf('text', 'v', 'foo', 'bar'), 'text')", [{"text": "v"}]),
        ("fn:listToListOfStructs(fn:listOf('q1', 'q2'), 'text')", [{"text": "q1"}, {"text": "q2"}]),
    ],
)
def test_collections(source: str, expected: object) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("fn:listAdd(null, 1)", "fn:listAdd needs a list"),
        ("fn:addAll('x', null)", "First argument of fn:addAll"),
        ("fn:mapPut('x', 'a', 1)", "non-map"),
        ("fn:mapPut(null, '', 1)", "null field"),
        ("fn:mapOf('a')", "pairs"),
        ("fn:unpack(5, 'a')", "cannot unpack"),
        ("fn:random(null)", "max cannot be null"),
    ],
)
def test_collection_errors(source: str, fragment: str) -> None:
    with pytest.raises(EvaluationError, match=fragment):
        ev(source)


QUERY = StreamRecord(
    {
        "threshold": "0.5",
        "results": [
            {"name": "product1", "price": "1.2", "similarity": "0.9"},
            None,
            {"name": "product2", "price": "1.7", "similarity": "0.1"},
        ],
    }
)


@pytest.mark.parametrize(
    ("condition", "names"),
    [
        ("fn:toDouble(record.similarity) >= 0.5", ["product1"]),
        ("fn:toDouble(record.similarity) < 0.5", ["product2"]),
        ("fn:toDouble(record.similarity) >= value.threshold", ["product1"]),
        ("record.missing == 'x'", []),
        ("false", []),
        ("true", ["product1", "product2"]),
    ],
)
def test_filter(condition: str, names: list[str]) -> None:
    result = compile_expression(f"fn:filter(value.results, {condition!r})").evaluate(QUERY)
    assert [item["name"] for item in result] == names  # type: ignore[union-attr]


def test_filter_with_computed_condition() -> None:
    expression = compile_expression(
        "fn:filter(value.results, fn:concat('record.name == ', \"'product2'\"))"
    )
    assert len(expression.evaluate(QUERY)) == 1  # type: ignore[arg-type]
    assert compile_expression("fn:filter(null, 'true')").evaluate(QUERY) is None


def test_now_and_timestamp_add(fixed_clock: dt.datetime) -> None:
    assert ev("fn:now()") == fixed_clock
    assert ev("fn:timestampAdd(fn:now(), -3333, 'seconds')") == fixed_clock - dt.timedelta(
        seconds=3333
    )
    assert ev("fn:toLong(fn:now())") == 5000
    assert ev("fn:now() > 4999") is True


MILLIS = 1483315262000  # 2017-01-02T00:01:02Z


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fn:timestampAdd('2017-01-02T00:01:02Z', 1, 'years')", "2018-01-02T00:01:02+00:00"),
        ("fn:timestampAdd('2017-01-02T00:01:02Z', -1, 'months')", "2016-12-02T00:01:02+00:00"),
        ("fn:timestampAdd('2017-01-02T00:01:02Z', 1, 'days')", "2017-01-03T00:01:02+00:00"),
        ("fn:timestampAdd('2017-01-02T00:01:02Z', -1, 'hours')", "2017-01-01T23:01:02+00:00"),
        ("fn:timestampAdd('2017-01-02T00:01:02Z', 1, 'minutes')", "2017-01-02T00:02:02+00:00"),
        ("fn:timestampAdd('2017-01-02T00:01:02Z', -1, 'seconds')", "2017-01-02T00:01:01+00:00"),
        ("fn:timestampAdd('2017-01-02T00:01:02Z', 1, 'millis')", "2017-01-02T00:01:02.001+00:00"),
        (
            "fn:timestampAdd('2017-01-02T00:01:02Z', 1000000, 'nanos')",
            "2017-01-02T00:01:02.001+00:00",
        ),
        (f"fn:timestampAdd({MILLIS}, 1, 'years')", "2018-01-02T00:01:02+00:00"),
        (f"fn:timestampAdd({MILLIS}, -1, 'months')", "2016-12-02T00:01:02+00:00"),
        (f"fn:timestampAdd({MILLIS}, '1', 'millis')", "2017-01-02T00:01:02.001+00:00"),
        ("fn:timestampAdd('2022-10-02T01:02:03+02:00', 5, 'months')", "2023-03-01T23:02:03+00:00"),
        ("fn:timestampAdd('2022-01-31T00:00:00Z', 1, 'months')", "2022-02-28T00:00:00+00:00"),
        ("fn:timestampAdd('2017-01-02', 1, 'days')", "2017-01-03T00:00:00+00:00"),
    ],
)
def test_timestamp_add(source: str, expected: str) -> None:
    assert ev(source) == instant(expected)


def test_timestamp_add_unit_from_bytes() -> None:
    record = StreamRecord(b"hours")
    assert ev("fn:timestampAdd('2022-10-02T01:02:03Z', 1, value)", record) == instant(
        "2022-10-02T02:02:03+00:00"
    )


def test_timestamp_add_invalid_unit() -> None:
    with pytest.raises(EvaluationError, match=r"Invalid unit: lightyear. Should be one of \[years"):
        ev("fn:timestampAdd(0, 0, 'lightyear')")


def test_dateadd_returns_millis() -> None:
    assert ev(f"fn:dateadd({MILLIS}, 1, 'millis')") == MILLIS + 1


def test_instant_prints_like_java() -> None:
    assert (
        ev("fn:str(fn:timestampAdd('2017-01-02T00:01:02Z', 1, 'millis'))")
        == "2017-01-02T00:01:02.001Z"
    )
    assert (
        ev("fn:str(fn:timestampAdd('2017-01-02T00:01:02Z', 0, 'millis'))") == "2017-01-02T00:01:02Z"
    )


def test_to_sql_timestamp() -> None:
    assert ev("fn:toSQLTimestamp('2023-01-02 03:04:05')") == instant("2023-01-02T03:04:05+00:00")
    assert ev("fn:toSQLTimestamp(null)") is None


def test_uuid_and_random() -> None:
    uuid.UUID(str(ev("fn:uuid()")))
    assert all(0 <= ev("fn:random(3)") < 3 for _ in range(20))  # type: ignore[operator]
