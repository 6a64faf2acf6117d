"""Shape of the AI agents: a GenAI-toolkit step whose work awaits a provider or a database.

Like `TransformStepAgent` (optional `when`, the record goes through a `MutableRecord` and is
written back even when `when` is false), but `apply` is async. `init` only reads and checks
the configuration (it also runs at validation time, see `validation.py`); clients, models and
connections are opened in `start` and released in `close`.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from langstream import Processor, Record

from kernel_runtime.agents.ai.resources import DATASOURCE_KEY, SERVICE_KEY, ResourceRef
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mustache import Template, TemplateError
from kernel_runtime.agents.builtin.mutable import FIELD_NAME_HELP, MutableRecord, valid_result_field
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.expressions import Expression
from kernel_runtime.records import StreamRecord


class NotRunnableHere(AgentConfigError):
    """Valid LangStream that this runtime cannot run (a provider or database it cannot reach)."""


class ConfiguredAgent:
    """Reads `KEYS` with a `ConfigReader`; takes the resources the runtime attached."""

    agent_type: ClassVar[str] = ""
    KEYS: ClassVar[tuple[str, ...]] = ()

    def init(self, config: dict[str, Any], context: Any = None) -> None:
        config = dict(config or {})
        self.context = context
        self.service_resource = _resource(config.pop(SERVICE_KEY, None))
        self.datasource_resource = _resource(config.pop(DATASOURCE_KEY, None))
        reader = ConfigReader(self.agent_type, config, self.KEYS, context=context)
        self.agent_id = reader.agent_id
        self.log = logging.getLogger(f"kernel_runtime.agents.{self.agent_type}")
        self.configure(reader)

    def configure(self, reader: ConfigReader) -> None:
        """Read and validate the configuration; raise `AgentConfigError` on a bad value."""

    def where(self) -> str:
        return f"agent {self.agent_id!r} ({self.agent_type})" if self.agent_id else self.agent_type


def _resource(data: dict[str, Any] | None) -> ResourceRef | None:
    return ResourceRef.from_dict(data) if data is not None else None


def template(reader: ConfigReader, field: str, text: str, *, escape: bool = True) -> Template:
    try:
        return Template(text, escape=escape)
    except TemplateError as error:
        raise reader.error(field, f"is not a valid Mustache template: {error}") from error


def result_field(
    reader: ConfigReader, field: str, default: str | None = None, *, required: bool = False
) -> str | None:
    name = reader.string(field, default, required=required)
    if name is not None and not valid_result_field(name):
        raise reader.error(field, f"{name!r} is not a field of the record; {FIELD_NAME_HELP}")
    return name


def json_record(mutable: MutableRecord) -> dict[str, Any]:
    """What Mustache templates see: LangStream's `JsonRecord` of the record."""
    return {
        "key": mutable.key if mutable.key_type is not None else mutable.message_key,
        "value": mutable.value,
        "destinationTopic": mutable.output_topic,
        "properties": mutable.properties,
        "eventTime": mutable.event_time,
        "topicName": mutable.input_topic,
    }


class AIStep(ConfiguredAgent, Processor):
    """A GenAI-toolkit step (`when`, `composable`) with an async `apply`."""

    STEP_KEYS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.KEYS = ("when", *cls.STEP_KEYS)

    def configure(self, reader: ConfigReader) -> None:
        self.when: Expression | None = reader.expression("when")
        self.configure_step(reader)

    def configure_step(self, reader: ConfigReader) -> None:
        """Read the step's own keys."""

    async def apply(self, mutable: MutableRecord) -> None:
        """Change `mutable` in place."""

    async def process(self, record: Record) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(record)
        if self.when is None or self.when.test(mutable.variables()):
            await self.apply(mutable)
        if mutable.drop:
            return []
        return [mutable.to_record()]
