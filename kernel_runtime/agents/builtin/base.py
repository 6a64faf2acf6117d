"""Shared shape of the built-in processors: config validated in `init`, async `process`.

`TransformStepAgent` is LangStream's GenAI-toolkit step (`GenAIToolKitAgent`): an optional
`when`; the record goes through a `MutableRecord` and is written back even when `when` is
false (so JSON values are re-serialized and header values become strings, as in LangStream).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from langstream import Processor, Record

from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.expressions import Expression
from kernel_runtime.records import StreamRecord, to_record


class BuiltinProcessor(Processor):
    """A processor whose configuration keys are `KEYS`; subclasses implement `configure`."""

    agent_type: ClassVar[str] = ""
    KEYS: ClassVar[tuple[str, ...]] = ()

    def init(self, config: dict[str, Any], context: Any = None) -> None:
        reader = ConfigReader(self.agent_type, config, self.KEYS, context=context)
        self.agent_id = reader.agent_id
        self.log = logging.getLogger(f"{__name__.rsplit('.', 1)[0]}.{self.agent_type}")
        self.configure(reader)

    def configure(self, reader: ConfigReader) -> None:
        """Read and validate the configuration; raise `AgentConfigError` on a bad value."""

    async def process(self, record: Record) -> list[StreamRecord]:  # pragma: no cover - abstract
        raise NotImplementedError


def same_record(record: Record) -> StreamRecord:
    """The input record itself when it already is a `StreamRecord` (pass-through agents)."""
    return to_record(record)


class TransformStepAgent(BuiltinProcessor):
    """A GenAI-toolkit step with an optional `when`; subclasses implement `apply`."""

    STEP_KEYS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.KEYS = ("when", *cls.STEP_KEYS)

    def init(self, config: dict[str, Any], context: Any = None) -> None:
        self.when: Expression | None = None
        self._warned: set[str] = set()
        super().init(config, context)

    def configure(self, reader: ConfigReader) -> None:
        self.when = reader.expression("when")
        self.configure_step(reader)

    def configure_step(self, reader: ConfigReader) -> None:
        """Read the step's own keys."""

    def apply(self, mutable: MutableRecord) -> None:
        """Change `mutable` in place (it holds private copies of the key and value)."""

    def warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.log.warning("%s: %s", self.agent_id or self.agent_type, message)

    async def process(self, record: Record) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(record)
        if self.when is None or self.when.test(mutable.variables()):
            self.apply(mutable)
        if mutable.drop:
            return []
        return [mutable.to_record()]
