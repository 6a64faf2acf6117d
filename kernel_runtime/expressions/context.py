"""The variables an expression sees for a record, bound as LangStream's `JstlEvaluator` binds them.

`value` and `key` are the record's value and key, a string or bytes holding a JSON object being
parsed into a dict (LangStream's `attemptJsonConversion`, on for every built-in agent);
`properties` are the headers as a map of strings; `messageKey` is the key as a string;
`topicName` the topic the record came from; `eventTime` its timestamp; `destinationTopic` is
null until a `compute` sets it; `record` is the current item inside `fn:filter`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from langstream import Record

from kernel_runtime.expressions.javafmt import java_str

VARIABLES = (
    "value",
    "key",
    "messageKey",
    "topicName",
    "destinationTopic",
    "eventTime",
    "properties",
    "record",
)


def attempt_json_object(value: Any) -> Any:
    """A dict if `value` is a str/bytes holding a JSON object, else `value` unchanged."""
    if isinstance(value, (bytes, bytearray)):
        head = bytes(value[:64]).lstrip()[:1]
        if head != b"{":
            return value
    elif isinstance(value, str):
        if value.lstrip()[:1] != "{":
            return value
    else:
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if isinstance(parsed, dict) else value


def header_properties(headers: Iterable[tuple[str, Any]] | None) -> dict[str, str]:
    """Headers as LangStream's string map: bytes decoded as UTF-8, nulls dropped, last wins."""
    properties: dict[str, str] = {}
    for name, value in headers or ():
        if name is None or value is None:
            continue
        properties[str(name)] = java_str(value)
    return properties


def message_key(key: Any) -> str | None:
    return None if key is None else java_str(key)


def record_topic(record: Record) -> str | None:
    """Where the record came from: its origin, or the topic the runtime read it from."""
    return record.origin() or getattr(record, "topic", None)


def record_variables(record: Record) -> dict[str, Any]:
    """The expression variables for `record` (see the module docstring)."""
    raw_key = record.key()
    return {
        "value": attempt_json_object(record.value()),
        "key": attempt_json_object(raw_key),
        "messageKey": message_key(raw_key),
        "topicName": record_topic(record),
        "destinationTopic": None,
        "eventTime": record.timestamp(),
        "properties": header_properties(record.headers()),
        "record": None,
    }
