"""Reading records from Kafka: a group member with manual commits, or a plain reader.

The aiokafka consumer is created and started on the first call that needs it (`poll`), because
`Broker.consumer()` is synchronous and aiokafka clients must be created inside their loop.

Commits follow `base.Consumer`: per partition, the offset of the next record to read, and only
for partitions this member still owns. A commit refused because the group rebalanced meanwhile
is dropped, as the embedded broker does: the partition's new owner reads those records again
from the last committed offset (at-least-once; duplicates are possible, losses are not).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer
from aiokafka import TopicPartition as KafkaTopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from kernel_runtime.brokers.base import BrokerError, Position, TopicPartition
from kernel_runtime.brokers.kafka_serde import decode
from kernel_runtime.records import StreamRecord

if TYPE_CHECKING:
    from kernel_runtime.brokers.kafka import KafkaBroker

log = logging.getLogger(__name__)
_new = StreamRecord.__new__


def to_stream_records(messages: Any) -> list[StreamRecord]:
    """`StreamRecord`s from aiokafka `ConsumerRecord`s; origin is the topic, as in LangStream.

    Runs per record read: slots are set directly and UTF-8 decoding is inlined.
    """
    records = []
    append = records.append
    for message in messages:
        record = _new(StreamRecord)
        value, key = message.value, message.key
        if value is not None:
            try:
                value = value.decode()
            except UnicodeDecodeError:
                pass
        if key is not None:
            try:
                key = key.decode()
            except UnicodeDecodeError:
                pass
        record._value = value
        record._key = key
        headers = message.headers
        record._headers = [(name, decode(raw)) for name, raw in headers] if headers else []
        record._origin = record.topic = message.topic
        record._timestamp = message.timestamp
        record.partition = message.partition
        record.offset = message.offset
        record.destination = None
        append(record)
    return records


class KafkaConsumer:
    """A `base.Consumer`: a member of `group_id`, or (None) a reader of every partition."""

    def __init__(
        self,
        broker: KafkaBroker,
        topics: Sequence[str],
        group_id: str | None,
        position: Position,
    ) -> None:
        self._broker = broker
        self.topics = tuple(dict.fromkeys(topics))
        self.group_id = group_id
        self.position = position
        self._client: AIOKafkaConsumer | None = None
        self._seeks: dict[TopicPartition, int] = {}
        self._max_poll_records: int | None = None  # max.poll.records caps every poll
        self._closed = False

    async def _started(self) -> AIOKafkaConsumer:
        if self._client is not None:
            return self._client
        if self._closed:
            raise BrokerError("consumer closed")
        broker = self._broker
        kwargs = broker.consumer_kwargs(self.topics)
        kwargs["auto_offset_reset"] = self.position
        self._max_poll_records = kwargs.get("max_poll_records")
        if self.group_id is None:
            partitions = await broker.partitions(self.topics)
            client = AIOKafkaConsumer(**{**kwargs, "group_id": None, "enable_auto_commit": False})
            await broker.start_client(client, "consumer")
            client.assign(partitions)
            if self.position == "earliest":
                await client.seek_to_beginning(*partitions)
            else:  # not seek_to_end: tansu 0.6 misreports ends (see KafkaBroker.true_end_offsets)
                for partition, end in (await broker.true_end_offsets(partitions)).items():
                    client.seek(partition, end)
        else:
            await broker.partitions(self.topics)  # unknown topics fail here, clearly
            # a topic's options.consumer.group.id wins over the agent's group, as in LangStream
            self.group_id = kwargs.get("group_id") or self.group_id
            kwargs.update(group_id=self.group_id, enable_auto_commit=False)
            client = AIOKafkaConsumer(*self.topics, **kwargs)
            await broker.start_client(client, "consumer")
        self._client = client
        for partition, offset in self._seeks.items():
            client.seek(KafkaTopicPartition(partition.topic, partition.partition), offset)
        self._seeks.clear()
        return client

    async def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[StreamRecord]:
        client = await self._started()
        if self._max_poll_records:
            max_records = min(max_records, self._max_poll_records)
        try:
            fetched = await client.getmany(
                timeout_ms=max(0, int(timeout * 1000)), max_records=max_records
            )
        except KafkaError as error:
            if self._closed:
                return []
            raise BrokerError(
                f"reading {', '.join(self.topics)} on {self._broker.describe()} failed: {error}"
            ) from error
        if not fetched:
            return []
        if len(fetched) == 1:
            return to_stream_records(next(iter(fetched.values())))
        records: list[StreamRecord] = []
        for messages in fetched.values():
            records += to_stream_records(messages)
        return records

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.group_id is None or not offsets:
            return
        client = await self._started()
        owned = client.assignment()
        wanted = {
            KafkaTopicPartition(tp.topic, tp.partition): offset for tp, offset in offsets.items()
        }
        mine = {tp: offset for tp, offset in wanted.items() if tp in owned}
        if len(mine) < len(wanted):
            log.info(
                "group %s: not committing partitions no longer assigned to this member: %s",
                self.group_id,
                sorted(set(wanted) - set(mine)),
            )
        if not mine:
            return
        try:
            await client.commit(mine)
        except (CommitFailedError, IllegalStateError) as error:
            log.info("group %s: commit dropped after a rebalance: %s", self.group_id, error)
        except KafkaError as error:
            raise BrokerError(
                f"committing offsets of group {self.group_id!r} on {self._broker.describe()} "
                f"failed: {error}"
            ) from error

    def assignment(self) -> set[TopicPartition]:
        if self._client is None:
            return set()
        return {TopicPartition(tp.topic, tp.partition) for tp in self._client.assignment()}

    def seek(self, partition: TopicPartition, offset: int) -> None:
        if self._client is None:
            self._seeks[partition] = offset
        else:
            self._client.seek(KafkaTopicPartition(partition.topic, partition.partition), offset)

    async def close(self) -> None:
        """Leave the group at once (its partitions go to the other members)."""
        if self._closed:
            return
        self._closed = True
        client, self._client = self._client, None
        self._broker.forget(self)
        if client is not None:
            try:
                await client.stop()
            except Exception as error:  # noqa: BLE001 - closing must never raise
                log.warning("closing the Kafka consumer of %s: %r", self.topics, error)
