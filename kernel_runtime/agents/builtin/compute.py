"""`compute`: sets fields of the record from expressions (LangStream's `ComputeStep`).

Fields are applied in LangStream's order: `key` and `value` (whole), then `key.*`, then
`value.*` (all of a group are evaluated before any is set), then `destinationTopic` and
`messageKey`, then `properties.*`. `destinationTopic` and `messageKey` are visible to later
expressions only: LangStream does not route or re-key the output record with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kernel_runtime.agents.builtin.base import TransformStepAgent
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.expressions import SCHEMA_TYPES, Expression, coerce_to_type
from kernel_runtime.expressions.conversion import schema_type_of

HEADER_FIELDS = ("destinationTopic", "messageKey")


@dataclass(frozen=True)
class ComputeField:
    scope: str  # primitive, key, value, header, properties
    name: str  # without the scope prefix
    expression: Expression
    type: str | None

    def evaluate(self, mutable: MutableRecord) -> Any:
        result = self.expression.evaluate_variables(mutable.variables())
        return result if self.type is None else coerce_to_type(result, self.type)


def _scope(name: str) -> tuple[str, str] | None:
    if name in ("value", "key"):
        return "primitive", name
    for prefix, scope in (("key.", "key"), ("value.", "value"), ("properties.", "properties")):
        if name.startswith(prefix) and len(name) > len(prefix):
            return scope, name[len(prefix) :]
    if name in HEADER_FIELDS:
        return "header", name
    return None


class ComputeAgent(TransformStepAgent):
    agent_type = "compute"
    STEP_KEYS = ("fields",)

    def configure_step(self, reader: ConfigReader) -> None:
        items = reader.items("fields", required=True)
        if not items:
            raise reader.error("fields", "is empty; list at least one {name, expression}")
        self.fields: list[ComputeField] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            field = reader.nested("fields", index, item, ("name", "expression", "type", "optional"))
            self.fields.append(self._field(field, seen))

    @staticmethod
    def _field(field: ConfigReader, seen: set[str]) -> ComputeField:
        name = field.string("name", required=True)
        assert name is not None
        scoped = _scope(name)
        if scoped is None:
            raise field.error(
                "name",
                f"{name!r} is not a valid field: prefix it with 'key.', 'value.' or 'properties.' "
                "or use one of key, value, destinationTopic, messageKey",
            )
        if name in seen:
            raise field.error("name", f"duplicates the compute field {name!r}")
        seen.add(name)
        expression = field.expression("expression", required=True)
        assert expression is not None
        field.boolean("optional", False)  # only shapes Avro schemas in LangStream
        type_name = field.string("type")
        if type_name is not None:
            type_name = type_name.upper()
            if type_name not in SCHEMA_TYPES:
                raise field.error(
                    "type", f"must be one of {', '.join(SCHEMA_TYPES)}; got {type_name!r}"
                )
            if type_name == "DATE" and name in ("value", "key"):
                raise field.error(
                    "type",
                    "DATE cannot be applied to the whole value or key; use TIMESTAMP or INSTANT "
                    "and then a 'cast' to DATE",
                )
        if scoped[0] in ("header", "properties"):
            type_name = "STRING"
        return ComputeField(scoped[0], scoped[1], expression, type_name)

    def apply(self, mutable: MutableRecord) -> None:
        by_scope = {scope: [f for f in self.fields if f.scope == scope] for scope in _SCOPES}
        for field in by_scope["primitive"]:
            self._set_primitive(field, mutable)
        self._set_map_fields("key", by_scope["key"], mutable)
        self._set_map_fields("value", by_scope["value"], mutable)
        for field in by_scope["header"]:
            text = self._text(field, mutable)
            if field.name == "destinationTopic":
                mutable.output_topic = text
            else:
                mutable.message_key = text
        for field in by_scope["properties"]:
            mutable.properties[field.name] = self._text(field, mutable)

    def _set_primitive(self, field: ComputeField, mutable: MutableRecord) -> None:
        if field.name == "key" and mutable.key_type is None:
            self.warn_once("'key' is not computed on records without a key (as in LangStream)")
            return
        result = field.evaluate(mutable)
        if result is None and field.type is None:
            raise ValueError(
                f"compute: the expression for {field.name!r} ({field.expression.source!r}) "
                "returned null; give the field a 'type' or use fn:coalesce(...)"
            )
        new_type = field.type or schema_type_of(result)
        if field.name == "key":
            mutable.key, mutable.key_type = result, new_type
        else:
            mutable.value, mutable.value_type = result, new_type

    def _set_map_fields(
        self, part: str, fields: list[ComputeField], mutable: MutableRecord
    ) -> None:
        if not fields:
            return
        target = getattr(mutable, part)
        if not isinstance(target, dict):
            if target is not None:
                self.warn_once(
                    f"{part}.* fields are not computed: the record {part} is a "
                    f"{type(target).__name__}, not a JSON object (as in LangStream)"
                )
            return
        results = [(field.name, field.evaluate(mutable)) for field in fields]
        target.update(results)

    @staticmethod
    def _text(field: ComputeField, mutable: MutableRecord) -> str:
        result = field.evaluate(mutable)
        if not isinstance(result, str):
            raise ValueError(
                f"Invalid compute field type. Name: {field.name}, "
                f"Type: {'null' if result is None else type(result).__name__}, Expected Type: String"
            )
        return result


_SCOPES = ("primitive", "key", "value", "header", "properties")
