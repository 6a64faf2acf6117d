"""Sending and collecting records: the part of the Workbench API that touches topics.

A mixin of `Workbench`, kept apart so each file stays one concept. Topics are created on the
broker from the validated application before the first send or collect, so a notebook can
send before it starts the pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kernel_runtime.brokers.base import TopicSpec
from kernel_runtime.records import Headers, StreamRecord
from ls_workbench.errors import DefinitionError, PipelineError
from ls_workbench.results import RecordList
from ls_workbench.topic_io import Position, as_record, collect_records, send_records

if TYPE_CHECKING:
    from kernel_runtime.manifest import Application
    from ls_workbench.engine import Engine
    from ls_workbench.kernel_loop import KernelLoop

CALL_TIMEOUT = 30.0


class RecordsAPI:
    """`send`, `send_many`, `collect` of a Workbench."""

    name: str
    engine: Engine
    _loop: KernelLoop

    def application(self) -> Application:
        raise NotImplementedError

    def run(self, coro: Any, timeout: float | None = CALL_TIMEOUT) -> Any:
        raise NotImplementedError

    def _topic_specs(self) -> dict[str, TopicSpec]:
        try:
            topics = self.application().topics()
        except PipelineError:
            return {}
        return {
            name: TopicSpec(name, partitions=topic.partitions or 1, config=dict(topic.config or {}))
            for name, topic in topics.items()
        }

    def _ensure_topic(self, topic: str) -> None:
        specs = self._topic_specs()
        if topic not in specs:
            exists = self._loop.run(_exists(self.engine, topic), CALL_TIMEOUT)
            if exists:
                return
            known = ", ".join(sorted(specs)) or "none (is the application valid?)"
            raise DefinitionError(
                f"topic {topic!r} is not defined; topics of {self.name!r}: {known}. "
                "Declare it with %%langstream_topic or use it as an agent's input/output"
            )
        self._loop.run(self.engine.create_topics(list(specs.values())), CALL_TIMEOUT)

    def send(
        self,
        topic: str,
        value: Any,
        key: Any = None,
        headers: Headers | dict | None = None,
    ) -> None:
        """Write one record to `topic` (returns once the broker acknowledged it)."""
        self.send_many(topic, [as_record(value, key, headers)])

    def send_many(self, topic: str, records: list[Any]) -> int:
        """Write records (values, or `langstream.Record`s) to `topic` in one batch."""
        self._ensure_topic(topic)
        batch = [r if isinstance(r, StreamRecord) else as_record(r) for r in records]
        broker = self.run(self.engine.ensure_broker())
        return self.run(send_records(broker, topic, batch))

    def collect(
        self,
        topic: str,
        count: int | None = None,
        timeout: float | None = None,
        *,
        position: Position | dict[int, int] = "earliest",
    ) -> RecordList:
        """Records of `topic` as `langstream.Record`s, read from the earliest offset by default.

        Never commits for any consumer group, so the pipeline's agents are not affected.
        With `count`, waits up to `timeout` (default 10 s) for that many; without, returns
        what the topic holds now.
        """
        self._ensure_topic(topic)
        broker = self.run(self.engine.ensure_broker())
        wait = None if timeout is None else timeout + CALL_TIMEOUT
        records = self.run(collect_records(broker, topic, count, timeout, position=position), wait)
        return RecordList(topic, records, expected=count)


async def _exists(engine: Engine, topic: str) -> bool:
    broker = await engine.ensure_broker()
    return await broker.topic_exists(topic)
