"""LangStream's flow-control processors: dispatch, trigger-event and log-event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langstream import Record

from kernel_runtime.agents.builtin.base import BuiltinProcessor, same_record
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mustache import Template, TemplateError
from kernel_runtime.agents.builtin.mutable import (
    FIELD_NAME_HELP,
    MutableRecord,
    valid_result_field,
)
from kernel_runtime.expressions import Expression, record_variables
from kernel_runtime.expressions.javafmt import java_str
from kernel_runtime.records import StreamRecord


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    expression: Expression


def read_fields(reader: ConfigReader, *, result_fields: bool) -> list[FieldDefinition]:
    """`fields: [{name, expression}]`; `result_fields` checks names a record can be given."""
    fields = []
    for index, item in enumerate(reader.items("fields")):
        field = reader.nested("fields", index, item, ("name", "expression"))
        name = field.string("name", required=True)
        assert name is not None
        if result_fields and not valid_result_field(name):
            raise field.error("name", f"{name!r} is not a record field; {FIELD_NAME_HELP}")
        expression = field.expression("expression", required=True)
        assert expression is not None
        fields.append(FieldDefinition(name, expression))
    return fields


def apply_fields(mutable: MutableRecord, fields: list[FieldDefinition]) -> None:
    """Evaluate every field first, then set them (as LangStream's TriggerEvent/TimerSource)."""
    variables = mutable.variables()
    values = [(field.name, field.expression.evaluate_variables(variables)) for field in fields]
    for name, value in values:
        mutable.set_result_field(value, name)


@dataclass(frozen=True)
class Route:
    when: Expression
    destination: str | None  # None: drop


class DispatchAgent(BuiltinProcessor):
    """`dispatch`: the first route whose `when` holds sends the record to its `destination`
    topic (unchanged) or drops it; with no match the record goes to the agent's output."""

    agent_type = "dispatch"
    KEYS = ("routes",)

    def configure(self, reader: ConfigReader) -> None:
        self.routes: list[Route] = []
        for index, item in enumerate(reader.items("routes")):
            route = reader.nested("routes", index, item, ("when", "destination", "action"))
            when = route.expression("when", required=True)
            assert when is not None
            action = route.choice("action", ("dispatch", "drop"), "dispatch")
            destination = route.string("destination") or None
            if action == "drop" and destination:
                raise route.error(
                    "destination", "must not be set: a 'drop' route has no destination"
                )
            if action == "dispatch" and not destination:
                raise route.error(
                    "destination", "is required for a 'dispatch' route (a topic name)"
                )
            self.routes.append(Route(when, destination if action == "dispatch" else None))

    async def process(self, record: Record) -> list[StreamRecord]:
        if not self.routes:
            return [same_record(record)]
        variables = record_variables(record)
        for route in self.routes:
            if route.when.test(variables):
                if route.destination is None:
                    return []
                return [same_record(record).copy(destination=route.destination)]
        return [same_record(record)]


class TriggerEventAgent(BuiltinProcessor):
    """`trigger-event`: when `when` holds, emits a new record (a copy of the input with
    `fields` set) to `destination`; the input goes on unless `continue-processing` is false."""

    agent_type = "trigger-event"
    KEYS = ("destination", "when", "continue-processing", "fields")

    def configure(self, reader: ConfigReader) -> None:
        self.destination = reader.string("destination", required=True)
        if not self.destination:
            raise reader.error("destination", "is empty; set the topic to write the event to")
        self.when = reader.expression("when")
        self.continue_processing = reader.boolean("continue-processing", True)
        self.fields = read_fields(reader, result_fields=True)

    async def process(self, record: Record) -> list[StreamRecord]:
        original = same_record(record)
        mutable = MutableRecord.from_record(record)
        if self.when is not None and not self.when.test(mutable.variables()):
            return [original]
        apply_fields(mutable, self.fields)
        event = mutable.to_record(serialize=False)
        event.destination = self.destination
        return [event, original] if self.continue_processing else [event]


class LogEventAgent(BuiltinProcessor):
    """`log-event`: logs the record (or its `fields`, or a Mustache `message`) when `when`
    holds, and always passes the record on; errors are logged, never raised."""

    agent_type = "log-event"
    KEYS = ("fields", "message", "when")

    def configure(self, reader: ConfigReader) -> None:
        self.when = reader.expression("when")
        self.fields = read_fields(reader, result_fields=False)
        message = reader.string("message") or ""
        try:
            self.template = Template(message) if message else None
        except TemplateError as error:
            raise reader.error("message", f"is not a valid Mustache template: {error}") from error

    def _log_record(self, record: Record) -> None:
        mutable = MutableRecord.from_record(record)
        variables = mutable.variables()
        if self.when is not None and not self.when.test(variables):
            return
        if not self.fields and self.template is None:
            self.log.info("%s", record)
            return
        if self.fields:
            values: dict[str, Any] = {
                field.name: field.expression.evaluate_variables(variables) for field in self.fields
            }
            self.log.info("%s", java_str(values))
        if self.template is not None:
            self.log.info("%s", self.template.render(_json_record(mutable)))

    async def process(self, record: Record) -> list[StreamRecord]:
        try:
            self._log_record(record)
        except Exception:  # noqa: BLE001 - as LangStream: a logging failure never fails the record
            self.log.exception("log-event %s: error while logging record %r", self.agent_id, record)
        return [same_record(record)]


def _json_record(mutable: MutableRecord) -> dict[str, Any]:
    """The view Mustache messages see (LangStream's `JsonRecord`)."""
    return {
        "key": mutable.key if mutable.key_type is not None else mutable.message_key,
        "value": mutable.value,
        "destinationTopic": mutable.output_topic,
        "properties": mutable.properties,
        "eventTime": mutable.event_time,
        "topicName": mutable.input_topic,
    }
