"""drop, drop-fields, merge-key-value, unwrap-key-value, cast, flatten, identity, noop."""

from __future__ import annotations

import json

import pytest

from kernel_runtime.agents.builtin import AgentConfigError
from kernel_runtime.records import StreamRecord

from .builtin_helpers import make

JSON_VALUE = '{"name": "a", "age": 3, "nested": {"x": 1}}'
JSON_KEY = '{"id": 7, "name": "from-key"}'


def record(
    value: object = JSON_VALUE, key: object = JSON_KEY, headers: object = None
) -> StreamRecord:
    return StreamRecord(value, key, headers or [("h", "v")], "in-topic", 1000)


async def test_identity_passes_the_same_record() -> None:
    source = record()
    assert await make("identity").process(source) == [source]
    assert (await make("identity").process(source))[0] is source


async def test_noop_drops() -> None:
    assert await make("noop").process(record()) == []


async def test_drop_without_when_drops_everything() -> None:
    assert await make("drop").process(record()) == []


async def test_drop_with_when() -> None:
    agent = make("drop", {"when": "value.age > 2"})
    assert await agent.process(record()) == []
    kept = await agent.process(record('{"age": 1}'))
    assert len(kept) == 1
    assert json.loads(kept[0].value()) == {"age": 1}


async def test_drop_with_when_on_missing_field_keeps() -> None:
    assert len(await make("drop", {"when": "value.nope == 1"}).process(record("text"))) == 1


async def test_drop_fields_from_value_and_key_by_default() -> None:
    agent = make("drop-fields", {"fields": ["name", "missing"]})
    [out] = await agent.process(record())
    assert json.loads(out.value()) == {"age": 3, "nested": {"x": 1}}
    assert json.loads(out.key()) == {"id": 7}
    assert out.headers() == [("h", "v")]
    assert out.origin() == "in-topic"
    assert out.timestamp() == 1000


async def test_drop_fields_only_value_part_and_dict_values_stay_dicts() -> None:
    value = {"name": "a", "age": 3}
    agent = make("drop-fields", {"fields": ["name"], "part": "value"})
    [out] = await agent.process(record(value, {"name": "k"}))
    assert out.value() == {"age": 3}
    assert out.key() == {"name": "k"}
    assert value == {"name": "a", "age": 3}  # the input is never changed


async def test_drop_fields_key_part_and_bytes_stay_bytes() -> None:
    agent = make("drop-fields", {"fields": ["name"], "part": "key"})
    [out] = await agent.process(record(b'{"name": 1}', JSON_KEY.encode()))
    assert out.value() == b'{"name":1}'
    assert json.loads(out.key()) == {"id": 7}


async def test_drop_fields_on_text_value_is_a_no_op() -> None:
    [out] = await make("drop-fields", {"fields": ["x"]}).process(record("plain", None))
    assert out.value() == "plain"


async def test_drop_fields_when_false_still_normalises_headers() -> None:
    agent = make("drop-fields", {"fields": ["name"], "when": "value.age > 10"})
    [out] = await agent.process(record(headers=[("n", 5), ("b", b"x"), ("none", None)]))
    assert json.loads(out.value())["name"] == "a"
    assert out.headers() == [("n", "5"), ("b", "x")]


def test_drop_fields_configuration_errors() -> None:
    with pytest.raises(AgentConfigError, match="'fields' is required"):
        make("drop-fields", {})
    with pytest.raises(AgentConfigError, match="'part' must be one of key, value"):
        make("drop-fields", {"fields": ["a"], "part": "both"})
    with pytest.raises(AgentConfigError, match=r"'fields\[1\]' must be a string"):
        make("drop-fields", {"fields": ["a", 1]})


async def test_merge_key_value() -> None:
    [out] = await make("merge-key-value").process(record('{"name": "a", "x": null}', JSON_KEY))
    assert json.loads(out.value()) == {"name": "a", "x": None, "id": 7}
    assert json.loads(out.key()) == {"id": 7, "name": "from-key"}


async def test_merge_key_value_replaces_null_fields() -> None:
    [out] = await make("merge-key-value").process(record({"id": None}, {"id": 1}))
    assert out.value() == {"id": 1}


async def test_merge_key_value_without_key_or_non_map() -> None:
    [out] = await make("merge-key-value").process(record(JSON_VALUE, None))
    assert json.loads(out.value()) == json.loads(JSON_VALUE)
    [out] = await make("merge-key-value").process(record("text", JSON_KEY))
    assert out.value() == "text"


async def test_unwrap_key_value_drops_key() -> None:
    [out] = await make("unwrap-key-value").process(record())
    assert out.key() is None
    assert json.loads(out.value()) == json.loads(JSON_VALUE)


async def test_unwrap_key_value_unwrap_key() -> None:
    [out] = await make("unwrap-key-value", {"unwrapKey": True}).process(record())
    assert out.key() is None
    assert json.loads(out.value()) == {"id": 7, "name": "from-key"}


async def test_unwrap_without_key_keeps_value() -> None:
    [out] = await make("unwrap-key-value", {"unwrapKey": True}).process(record("v", None))
    assert out.value() == "v"


@pytest.mark.parametrize(
    ("schema_type", "value", "expected"),
    [
        ("STRING", 42, "42"),
        ("INT64", "42", 42),
        ("INT32", "4.7", 4),
        ("DOUBLE", "1.5", 1.5),
        ("BOOLEAN", "TRUE", True),
        ("STRING", {"a": 1}, '{"a":1}'),  # maps become JSON text
        ("BYTES", "hé", "hé".encode()),
    ],
)
async def test_cast_value(schema_type: str, value: object, expected: object) -> None:
    [out] = await make("cast", {"schema-type": schema_type, "part": "value"}).process(
        record(value, None)
    )
    assert out.value() == expected


async def test_cast_both_parts() -> None:
    [out] = await make("cast", {"schema-type": "string"}).process(record(1, 2))
    assert (out.value(), out.key()) == ("1", "2")


async def test_cast_bad_value_fails_the_record() -> None:
    agent = make("cast", {"schema-type": "INT64"})
    with pytest.raises(Exception, match="cannot convert 'abc'"):
        await agent.process(record("abc", None))


def test_cast_configuration_errors() -> None:
    with pytest.raises(AgentConfigError, match="'schema-type' is required"):
        make("cast", {})
    with pytest.raises(AgentConfigError, match="AVRO, JSON, PROTOBUF and MAP are not cast targets"):
        make("cast", {"schema-type": "AVRO"})


async def test_flatten_value() -> None:
    agent = make("flatten", {"part": "value", "delimiter": "."})
    [out] = await agent.process(record('{"a": {"b": {"c": 1}, "d": 2}, "e": [1]}', None))
    assert json.loads(out.value()) == {"a.b.c": 1, "a.d": 2, "e": [1]}


async def test_flatten_default_delimiter_and_both_parts() -> None:
    [out] = await make("flatten").process(record({"a": {"b": 1}}, {"k": {"l": 2}}))
    assert out.value() == {"a_b": 1}
    assert out.key() == {"k_l": 2}


async def test_flatten_non_map_fails() -> None:
    with pytest.raises(ValueError, match="not a structured"):
        await make("flatten", {"part": "value"}).process(record("text", None))
