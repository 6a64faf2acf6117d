"""compute: field scopes, order, types and errors (LangStream's ComputeStep / ComputeField)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kernel_runtime.agents.builtin import AgentConfigError
from kernel_runtime.expressions import EvaluationError, set_clock
from kernel_runtime.records import StreamRecord

from .builtin_helpers import make

VALUE = json.dumps(
    {"fieldInt": 1, "fieldText": "text", "fieldCsv": "a,b,c", "fieldJson": '{"this":"that"}'}
)


def compute(*fields: dict[str, object], when: str | None = None):  # noqa: ANN201
    config: dict[str, object] = {"fields": list(fields)}
    if when is not None:
        config["when"] = when
    return make("compute", config)


async def computed(expression: str, value: object = VALUE) -> object:
    agent = compute({"name": "value.computedField", "expression": expression})
    [out] = await agent.process(StreamRecord(value))
    return json.loads(out.value())["computedField"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("value.fieldInt", 1),
        ("value.fieldText", "text"),
        ("fn:split(value.fieldCsv,',')", ["a", "b", "c"]),
        ("fn:str(fn:fromJson(value.fieldJson))", "{this=that}"),
        ("fn:unpack(value.fieldCsv, 'f1,f2,f3')", {"f1": "a", "f2": "b", "f3": "c"}),
        ("fn:fromJson(value.fieldJson)", {"this": "that"}),
    ],
)
async def test_compute_value_fields_like_langstream(expression: str, expected: object) -> None:
    assert await computed(expression) == expected


async def test_json_string_value_stays_a_json_string() -> None:
    agent = compute({"name": "value.n", "expression": "value.fieldInt + 1"})
    [out] = await agent.process(StreamRecord(VALUE, None, [("p", "1")], "topic", 5))
    assert isinstance(out.value(), str)
    assert json.loads(out.value())["n"] == 2
    assert (out.headers(), out.origin(), out.timestamp()) == ([("p", "1")], "topic", 5)


async def test_dict_value_stays_a_dict_and_input_is_untouched() -> None:
    value = {"a": 1}
    [out] = await compute({"name": "value.b", "expression": "value.a * 2"}).process(
        StreamRecord(value)
    )
    assert out.value() == {"a": 1, "b": 2}
    assert value == {"a": 1}


async def test_value_fields_are_evaluated_before_being_set() -> None:
    agent = compute(
        {"name": "value.a", "expression": "10"},
        {"name": "value.b", "expression": "value.a"},
    )
    [out] = await agent.process(StreamRecord({"a": 1}))
    assert out.value() == {"a": 10, "b": 1}


async def test_whole_value_then_fields_then_properties() -> None:
    agent = compute(
        {"name": "properties.size", "expression": "fn:length(value.text)"},
        {"name": "value.upper", "expression": "fn:uppercase(value.text)"},
        {"name": "value", "expression": "fn:mapOf('text', fn:trim(value))"},
    )
    [out] = await agent.process(StreamRecord("  hello  "))
    assert out.value() == {"text": "hello", "upper": "HELLO"}
    assert out.headers() == [("size", "5")]


async def test_value_with_type() -> None:
    agent = compute({"name": "value", "expression": "value.answer", "type": "STRING"})
    [out] = await agent.process(StreamRecord('{"answer": 42}'))
    assert out.value() == "42"


@pytest.mark.parametrize(
    ("type_name", "expression", "expected"),
    [
        ("INT32", "'12'", 12),
        ("INT64", "fn:now()", 5000),
        ("DOUBLE", "'1.5'", 1.5),
        ("BOOLEAN", "'true'", True),
        ("INSTANT", "5000", dt.datetime(1970, 1, 1, 0, 0, 5, tzinfo=dt.UTC)),
        ("LOCAL_DATE", "'2024-02-03'", dt.date(2024, 2, 3)),
        ("int8", "300", 44),
    ],
)
async def test_typed_fields(type_name: str, expression: str, expected: object) -> None:
    set_clock(lambda: dt.datetime(1970, 1, 1, 0, 0, 5, tzinfo=dt.UTC))
    try:
        agent = compute({"name": "value.f", "expression": expression, "type": type_name})
        [out] = await agent.process(StreamRecord({}))
    finally:
        set_clock(None)
    assert out.value() == {"f": expected}


async def test_timestamps_in_json_values_are_iso_strings() -> None:
    agent = compute({"name": "value.t", "expression": "fn:timestampAdd(0, 1, 'seconds')"})
    [out] = await agent.process(StreamRecord("{}"))
    assert json.loads(out.value()) == {"t": "1970-01-01T00:00:01Z"}


async def test_key_fields_and_key() -> None:
    agent = compute({"name": "key.id", "expression": "fn:concat(key.id, '-x')"})
    [out] = await agent.process(StreamRecord("v", '{"id": "k"}'))
    assert json.loads(out.key()) == {"id": "k-x"}
    agent = compute({"name": "key", "expression": "fn:uppercase(key)"})
    [out] = await agent.process(StreamRecord("v", "abc"))
    assert out.key() == "ABC"


async def test_key_is_not_computed_without_a_key() -> None:
    [out] = await compute({"name": "key", "expression": "'k'"}).process(StreamRecord("v"))
    assert out.key() is None


async def test_value_fields_on_text_value_are_skipped() -> None:
    [out] = await compute({"name": "value.x", "expression": "1"}).process(StreamRecord("text"))
    assert out.value() == "text"


async def test_header_fields_are_visible_but_do_not_route() -> None:
    agent = compute(
        {"name": "destinationTopic", "expression": "'other'"},
        {"name": "properties.dest", "expression": "destinationTopic"},
        {"name": "messageKey", "expression": "'mk'"},
        {"name": "properties.mk", "expression": "messageKey"},
    )
    [out] = await agent.process(StreamRecord("v", "k"))
    assert out.headers() == [("dest", "other"), ("mk", "mk")]
    assert out.destination is None
    assert out.key() == "k"


async def test_properties_are_strings() -> None:
    [out] = await compute({"name": "properties.n", "expression": "1 + 1"}).process(
        StreamRecord("v")
    )
    assert out.headers() == [("n", "2")]


async def test_null_property_is_an_error() -> None:
    agent = compute({"name": "properties.n", "expression": "value.missing"})
    with pytest.raises(ValueError, match="Expected Type: String"):
        await agent.process(StreamRecord({}))


async def test_null_value_without_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="returned null"):
        await compute({"name": "value", "expression": "value.missing"}).process(StreamRecord({}))


async def test_when_false_skips_the_step() -> None:
    agent = compute({"name": "value.x", "expression": "1"}, when="value.go == true")
    [out] = await agent.process(StreamRecord({"go": False}))
    assert out.value() == {"go": False}
    [out] = await agent.process(StreamRecord({"go": True}))
    assert out.value() == {"go": True, "x": 1}


async def test_filter_sees_the_record() -> None:
    agent = compute(
        {"name": "value.kept", "expression": "fn:filter(value.items, 'record.score >= value.min')"}
    )
    [out] = await agent.process(StreamRecord({"min": 2, "items": [{"score": 1}, {"score": 3}]}))
    assert out.value()["kept"] == [{"score": 3}]


async def test_evaluation_error_fails_the_record() -> None:
    agent = compute({"name": "value.x", "expression": "value.text + 1"})
    with pytest.raises(EvaluationError, match="cannot convert 'abc'"):
        await agent.process(StreamRecord({"text": "abc"}))


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ([], "'fields' is empty"),
        ([{"expression": "1"}], "'fields[0].name' is required"),
        ([{"name": "value.x"}], "'fields[0].expression' is required"),
        ([{"name": "other", "expression": "1"}], "is not a valid field"),
        ([{"name": "value.x", "expression": "1 +"}], "not a valid expression"),
        (
            [{"name": "value.x", "expression": "1", "type": "FOO"}],
            "'fields[0].type' must be one of",
        ),
        ([{"name": "value", "expression": "1", "type": "DATE"}], "DATE cannot be applied"),
        (
            [{"name": "value.x", "expression": "1"}, {"name": "value.x", "expression": "2"}],
            "duplicates",
        ),
        ([{"name": "value.x", "expression": "1", "extra": 1}], "'fields[0].extra' is unknown"),
        (["value.x"], "'fields[0]' must be a map"),
    ],
)
def test_configuration_errors(fields: list[object], fragment: str) -> None:
    with pytest.raises(AgentConfigError) as info:
        make("compute", {"fields": fields})
    assert fragment in str(info.value)
