"""The `AgentContext` handed to every agent's `init(config, context)`."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from pathlib import Path

from langstream import AgentContext, Record

from kernel_runtime.brokers.base import Producer
from kernel_runtime.records import to_record


class TopicProducer:
    """Writes records to any topic, as LangStream's `context.get_topic_producer()` does.

    `write` may be called from any thread (it returns a `concurrent.futures.Future`);
    `awrite` from the runtime's loop.
    """

    def __init__(self, producer: Producer, loop: asyncio.AbstractEventLoop) -> None:
        self._producer = producer
        self._loop = loop

    async def awrite(self, topic: str, record: Record | dict | tuple) -> None:
        await self._producer.send(topic, to_record(record))

    def write(self, topic: str, record: Record | dict | tuple) -> Future:
        return asyncio.run_coroutine_threadsafe(self.awrite(topic, record), self._loop)


class RuntimeAgentContext(AgentContext):
    def __init__(
        self,
        *,
        agent_id: str,
        application_id: str,
        tenant: str,
        state_directory: Path | None,
        topic_producer: TopicProducer | None,
    ) -> None:
        self.agent_id = agent_id
        self.application_id = application_id
        self.tenant = tenant
        self._state_directory = state_directory
        self._topic_producer = topic_producer

    def get_persistent_state_directory(self) -> str | None:
        if self._state_directory is None:
            return None
        self._state_directory.mkdir(parents=True, exist_ok=True)
        return str(self._state_directory)

    def get_topic_producer(self) -> TopicProducer:
        if self._topic_producer is None:
            raise RuntimeError(f"agent {self.agent_id!r} has no topic producer (no broker)")
        return self._topic_producer

    def get_agent_id(self) -> str:
        return self.agent_id

    def get_application_id(self) -> str:
        return self.application_id

    def get_tenant(self) -> str:
        return self.tenant

    def __repr__(self) -> str:
        return f"RuntimeAgentContext(agent_id={self.agent_id!r}, state={self._state_directory})"
