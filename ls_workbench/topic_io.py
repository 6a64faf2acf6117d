"""Sending to and reading from topics for the notebook, outside any agent's consumer group.

`collect` is the bounded run notebooks and tests use: it reads a topic from its earliest offset
(or the latest, or given offsets) with a consumer that belongs to no group, so it never commits
and never takes records away from the pipeline's agents. Coroutines here run on the
Workbench's loop.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, Literal

from kernel_runtime.brokers.base import Broker, TopicPartition
from kernel_runtime.records import Headers, StreamRecord

Position = Literal["earliest", "latest"]
DEFAULT_WAIT = 10.0
POLL_SLICE = 0.1


def as_record(value: Any, key: Any = None, headers: Headers | dict | None = None) -> StreamRecord:
    if isinstance(headers, dict):
        headers = list(headers.items())
    return StreamRecord(value, key, list(headers or []))


async def send_records(broker: Broker, topic: str, records: Iterable[StreamRecord]) -> int:
    """Append records to `topic`; returns once the broker acknowledged them all."""
    batch = list(records)
    producer = broker.producer()
    try:
        await producer.send_batch(topic, batch)
    finally:
        await producer.close()
    return len(batch)


async def collect_records(
    broker: Broker,
    topic: str,
    count: int | None = None,
    timeout: float | None = None,
    *,
    position: Position | dict[int, int] = "earliest",
) -> list[StreamRecord]:
    """Records of `topic` from `position`, without joining a consumer group.

    - `count` given: returns once `count` records were read, or after `timeout` seconds
      (default 10) with what arrived by then.
    - no `count`: returns what the topic holds now (up to its end offsets at the call), or,
      with a `timeout`, everything that arrived until then.
    """
    consumer = broker.consumer(
        [topic], None, position="latest" if position == "latest" else "earliest"
    )
    try:
        if isinstance(position, dict):
            for partition, offset in position.items():
                consumer.seek(TopicPartition(topic, partition), offset)
        if count is None and timeout is None:
            return await _read_to_end(broker, consumer, topic)
        wait = DEFAULT_WAIT if timeout is None else timeout
        deadline = time.monotonic() + wait
        records: list[StreamRecord] = []
        while count is None or len(records) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            wanted = 1000 if count is None else count - len(records)
            records += await consumer.poll(wanted, min(remaining, POLL_SLICE))
        return records
    finally:
        await consumer.close()


async def _read_to_end(broker: Broker, consumer: Any, topic: str) -> list[StreamRecord]:
    ends = await broker.end_offsets(topic)
    positions: dict[int, int] = {}
    records: list[StreamRecord] = []
    deadline = time.monotonic() + DEFAULT_WAIT

    def behind() -> bool:
        return any(positions.get(p, -1) + 1 < end for p, end in ends.items() if end > 0)

    while behind() and time.monotonic() < deadline:
        batch = await consumer.poll(1000, POLL_SLICE)
        if not batch and not _has_more(consumer, topic, ends):
            break
        for record in batch:
            if record.offset is not None and record.offset < ends.get(record.partition or 0, 0):
                records.append(record)
                positions[record.partition or 0] = record.offset
    return records


def _has_more(consumer: Any, topic: str, ends: dict[int, int]) -> bool:
    """False when the consumer already stands at the end offsets (e.g. trimmed records)."""
    position = getattr(consumer, "position", None)
    if position is None:
        return True
    return any(position(TopicPartition(topic, p)) < end for p, end in ends.items())
