"""LangStream's data-transform steps: drop, drop-fields, merge-key-value, unwrap-key-value,
cast and flatten (see `base.TransformStepAgent` for the shared `when` handling)."""

from __future__ import annotations

from typing import Any

from kernel_runtime.agents.builtin.base import TransformStepAgent
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.expressions import SCHEMA_TYPES, attempt_json_object, coerce_to_type, to_json

PARTS = ("key", "value")


class DropAgent(TransformStepAgent):
    """`drop`: drops every record, or only those matching `when`."""

    agent_type = "drop"

    def apply(self, mutable: MutableRecord) -> None:
        mutable.drop = True


class DropFieldsAgent(TransformStepAgent):
    """`drop-fields`: removes top-level `fields` from the value and/or key maps (`part`)."""

    agent_type = "drop-fields"
    STEP_KEYS = ("fields", "part")

    def configure_step(self, reader: ConfigReader) -> None:
        self.fields = reader.strings("fields", required=True)
        part = reader.choice("part", PARTS)
        self.parts = PARTS if part is None else (part,)

    def apply(self, mutable: MutableRecord) -> None:
        if "key" in self.parts and isinstance(mutable.key, dict):
            for name in self.fields:
                mutable.key.pop(name, None)
        if "value" in self.parts and isinstance(mutable.value, dict):
            for name in self.fields:
                mutable.value.pop(name, None)


class MergeKeyValueAgent(TransformStepAgent):
    """`merge-key-value`: copies the key's fields into the value (the value's fields win)."""

    agent_type = "merge-key-value"

    def apply(self, mutable: MutableRecord) -> None:
        if isinstance(mutable.key, dict) and isinstance(mutable.value, dict):
            for name, item in mutable.key.items():
                if mutable.value.get(name) is None:  # Map.putIfAbsent also replaces nulls
                    mutable.value[name] = item


class UnwrapKeyValueAgent(TransformStepAgent):
    """`unwrap-key-value`: drops the key, or (`unwrapKey: true`) makes the key the value."""

    agent_type = "unwrap-key-value"
    STEP_KEYS = ("unwrapKey",)

    def configure_step(self, reader: ConfigReader) -> None:
        self.unwrap_key = reader.boolean("unwrapKey", False)

    def apply(self, mutable: MutableRecord) -> None:
        if mutable.key_type is None:
            return
        if self.unwrap_key:
            mutable.value, mutable.value_type = mutable.key, mutable.key_type
        mutable.key, mutable.key_type = None, None


CAST_TYPES = tuple(t for t in SCHEMA_TYPES if t not in ("DATETIME", "DECIMAL"))


class CastAgent(TransformStepAgent):
    """`cast`: converts the key and/or value (`part`) to `schema-type`.

    Maps cast to STRING become JSON text (LangStream prints a Java map as `{a=1}` there).
    """

    agent_type = "cast"
    STEP_KEYS = ("schema-type", "part")

    def configure_step(self, reader: ConfigReader) -> None:
        target = reader.string("schema-type", required=True)
        assert target is not None
        if target.upper() not in CAST_TYPES:
            raise reader.error(
                "schema-type",
                f"must be one of {', '.join(CAST_TYPES)}; got {target!r}"
                " (AVRO, JSON, PROTOBUF and MAP are not cast targets)",
            )
        self.target = target.upper()
        part = reader.choice("part", PARTS)
        self.parts = PARTS if part is None else (part,)

    def _convert(self, value: Any) -> Any:
        if self.target == "STRING" and isinstance(value, (dict, list)):
            return attempt_json_object(to_json(value))
        return attempt_json_object(coerce_to_type(value, self.target))

    def apply(self, mutable: MutableRecord) -> None:
        if "key" in self.parts and mutable.key_type is not None and mutable.key_type != self.target:
            mutable.key, mutable.key_type = self._convert(mutable.key), self.target
        if "value" in self.parts and mutable.value_type != self.target:
            mutable.value, mutable.value_type = self._convert(mutable.value), self.target


def flatten_map(value: dict[str, Any], delimiter: str, prefix: str = "") -> dict[str, Any]:
    """Nested maps become top-level fields named `outer<delimiter>inner`."""
    flat: dict[str, Any] = {}
    for name, item in value.items():
        if isinstance(item, dict):
            flat.update(flatten_map(item, delimiter, f"{prefix}{name}{delimiter}"))
        else:
            flat[f"{prefix}{name}"] = item
    return flat


class FlattenAgent(TransformStepAgent):
    """`flatten`: nested maps of the key and/or value (`part`) become top-level fields.

    LangStream flattens Avro records only; here maps (JSON objects) are flattened the same way.
    """

    agent_type = "flatten"
    STEP_KEYS = ("delimiter", "part")

    def configure_step(self, reader: ConfigReader) -> None:
        self.delimiter = reader.string("delimiter", "_") or "_"
        self.part = reader.choice("part", PARTS)

    def apply(self, mutable: MutableRecord) -> None:
        for part in PARTS if self.part is None else (self.part,):
            current = getattr(mutable, part)
            if isinstance(current, dict):
                setattr(mutable, part, flatten_map(current, self.delimiter))
            elif self.part is not None or (part == "value" and current is not None):
                raise ValueError(
                    f"flatten: the record {part} is a {type(current).__name__}, not a structured "
                    "(JSON object) value"
                )
