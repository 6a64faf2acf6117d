"""The broker protocol the runtime talks to: topics, producers, consumer groups.

Two implementations: `memory.MemoryBroker` (embedded, the default) and `kafka.KafkaBroker`
(aiokafka). Everything is asyncio and must be used from the loop that started the broker.

Delivery contract the runtime relies on:
- `Producer.send_batch` returns only once every record is durably appended (acknowledged);
  records of one call keep their order within each partition.
- `Consumer.poll` returns records of the partitions assigned to this member, in offset order
  per partition; it never returns a record twice to the same member unless the group rebalanced
  or the consumer seeked.
- `Consumer.commit` stores, per partition, the offset of the *next* record to read, as Kafka does.
  A new member of the group resumes from the committed offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from kernel_runtime.records import StreamRecord

Position = Literal["earliest", "latest"]


@dataclass(frozen=True)
class TopicSpec:
    """What the runtime asks of a topic; mirrors LangStream's topic definition."""

    name: str
    partitions: int = 1
    creation_mode: Literal["none", "create-if-not-exists"] = "create-if-not-exists"
    deletion_mode: Literal["none", "delete"] = "none"
    options: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicPartition:
    topic: str
    partition: int


class BrokerError(RuntimeError):
    """A broker operation failed in a way the caller should report (not retry blindly)."""


class UnknownTopicError(BrokerError):
    def __init__(self, topic: str) -> None:
        super().__init__(
            f"topic {topic!r} does not exist; declare it in the pipeline's `topics` with "
            "`creation-mode: create-if-not-exists`, or create it on the broker"
        )
        self.topic = topic


def consumer_topics(topics: Sequence[str] | str, position: str) -> list[str]:
    """Check the arguments of `Broker.consumer` the same way for every broker."""
    if isinstance(topics, str):
        topics = [topics]
    if not topics:
        raise ValueError("a consumer needs at least one topic")
    if position not in ("earliest", "latest"):
        raise ValueError(f"position must be 'earliest' or 'latest', got {position!r}")
    return list(topics)


class Producer(Protocol):
    async def send(self, topic: str, record: StreamRecord) -> None: ...

    async def send_batch(self, topic: str, records: Sequence[StreamRecord]) -> None:
        """Append `records` to `topic`; returns once all are acknowledged."""
        ...

    async def close(self) -> None: ...


class Consumer(Protocol):
    group_id: str | None

    async def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[StreamRecord]:
        """Records with `topic`, `partition` and `offset` set; [] when none came in `timeout`."""
        ...

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Commit, per partition, the offset of the next record to read."""
        ...

    def assignment(self) -> set[TopicPartition]: ...

    def seek(self, partition: TopicPartition, offset: int) -> None:
        """Read `partition` from `offset` on the next poll (gateways' `option:position=<offset>`)."""
        ...

    async def close(self) -> None:
        """Leave the group (its partitions go to the other members); uncommitted work is redelivered."""
        ...


class Broker(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def create_topic(self, spec: TopicSpec) -> None:
        """Create the topic if it does not exist (no-op when it does)."""
        ...

    async def delete_topic(self, name: str) -> None: ...

    async def topic_exists(self, name: str) -> bool: ...

    def producer(self) -> Producer: ...

    def consumer(
        self,
        topics: Sequence[str],
        group_id: str | None,
        *,
        position: Position = "earliest",
    ) -> Consumer:
        """A group member (or, with `group_id=None`, a reader of all partitions that never commits).

        `position` applies where the group has no committed offset.
        """
        ...

    async def end_offsets(self, topic: str) -> dict[int, int]:
        """Per partition, the offset the next appended record will get."""
        ...

    async def committed(self, group_id: str, topic: str) -> dict[int, int]:
        """Per partition, the group's committed offset (partitions without one are left out)."""
        ...
