"""A mutable view of a record, as LangStream's `MutableRecord`, for the transform agents.

Reading: a str/bytes key or value holding a JSON object becomes a dict (a private copy; the
input record is never changed), headers become `properties` (strings). Writing back
(`to_record`): a dict that came from a JSON string is written as a JSON string again (bytes
stay bytes, dicts stay dicts), and headers are rebuilt from `properties`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from langstream import Record

from kernel_runtime.expressions import attempt_json_object, to_json
from kernel_runtime.expressions.context import header_properties, message_key, record_topic
from kernel_runtime.expressions.conversion import schema_type_of
from kernel_runtime.expressions.javafmt import java_str
from kernel_runtime.records import StreamRecord


def _read(raw: Any) -> tuple[Any, str | None]:
    """The parsed object and the schema type the raw value had."""
    kind = schema_type_of(raw)
    parsed = attempt_json_object(raw)
    if parsed is raw and isinstance(raw, (dict, list)):
        parsed = copy.deepcopy(raw)
    return parsed, kind


def _write(obj: Any, kind: str | None) -> Any:
    """`convertMapToStringOrBytes`: a map goes back to the JSON text form it came in."""
    if isinstance(obj, dict):
        if kind == "STRING":
            return to_json(obj)
        if kind == "BYTES":
            return to_json(obj).encode("utf-8")
    return obj


@dataclass
class MutableRecord:
    value: Any
    value_type: str | None
    key: Any
    key_type: str | None
    message_key: str | None
    properties: dict[str, str]
    input_topic: str | None
    event_time: int | None
    output_topic: str | None = None
    destination: str | None = None
    drop: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Record) -> MutableRecord:
        value, value_type = _read(record.value())
        key, key_type = _read(record.key())
        return cls(
            value=value,
            value_type=value_type,
            key=key,
            key_type=key_type,
            message_key=message_key(record.key()),
            properties=header_properties(record.headers()),
            input_topic=record_topic(record),
            event_time=record.timestamp(),
            destination=getattr(record, "destination", None),
        )

    def variables(self) -> dict[str, Any]:
        """The expression variables, as `JstlTransformContextAdapter` binds them."""
        return {
            "value": self.value,
            "key": self.key if self.key is not None else self.message_key,
            "messageKey": self.message_key,
            "topicName": self.input_topic,
            "destinationTopic": self.output_topic,
            "eventTime": self.event_time,
            "properties": self.properties,
            "record": None,
            **self.extra,
        }

    def headers(self) -> list[tuple[str, Any]]:
        return list(self.properties.items())

    def to_record(self, *, serialize: bool = True) -> StreamRecord:
        """The output record; `serialize=False` keeps parsed maps as dicts (as trigger-event)."""
        value = _write(self.value, self.value_type) if serialize else self.value
        key = _write(self.key, self.key_type) if serialize else self.key
        return StreamRecord(
            value,
            key,
            self.headers(),
            self.input_topic,
            self.event_time,
            destination=self.destination,
        )

    def set_result_field(self, content: Any, name: str) -> None:
        """`MutableRecord.setResultField`, used by timer-source and trigger-event fields."""
        if name == "value":
            self.value, self.value_type = content, "STRING"
        elif name == "key":
            self.key, self.key_type = content, "STRING"
        elif name == "destinationTopic":
            self.output_topic = _required_text(content, name)
        elif name == "messageKey":
            self.message_key = _required_text(content, name)
        elif name.startswith("properties."):
            self.properties[name[len("properties.") :]] = _required_text(content, name)
        elif name.startswith("value."):
            if not isinstance(self.value, dict):
                raise ValueError(
                    f"Cannot set {name}: the value is a {type(self.value).__name__}, not a map"
                )
            self.value[name[len("value.") :]] = content
        elif name.startswith("key."):
            if not isinstance(self.key, dict):
                raise ValueError(
                    f"Cannot set {name}: the key is a {type(self.key).__name__}, not a map"
                )
            self.key[name[len("key.") :]] = content
        else:
            raise ValueError(
                f"Cannot set field {name}: it does not refer to any part of the message"
            )


def _required_text(content: Any, name: str) -> str:
    if content is None:
        raise ValueError(f"Cannot set {name} to null")
    return java_str(content)


FIELD_NAME_HELP = "a field name is value, key, value.<name>, key.<name>, properties.<name>, destinationTopic or messageKey"


def valid_result_field(name: str) -> bool:
    return name in ("value", "key", "destinationTopic", "messageKey") or any(
        name.startswith(prefix) and len(name) > len(prefix)
        for prefix in ("value.", "key.", "properties.")
    )
