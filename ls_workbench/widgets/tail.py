"""Read the newest records of topics, a bounded number per refresh, whatever the record rate.

The inspector must not slow the pipeline: instead of reading every record, each refresh asks
the broker for the end offsets and reads at most `keep` records per partition just before
them (seeking a group-less consumer, which never commits). Totals and rates come from the end
offsets, so they are exact even when most records are never read. Runs on the loop.
"""

from __future__ import annotations

from typing import Any

from kernel_runtime.brokers.base import Broker, BrokerError, TopicPartition
from kernel_runtime.records import StreamRecord

MAX_POLLS = 20


class TopicTail:
    """The newest records of one topic since the previous call."""

    def __init__(self, broker: Broker, topic: str, keep: int) -> None:
        self.broker = broker
        self.topic = topic
        self.keep = keep
        self.positions: dict[int, int] = {}
        self._consumer: Any = None
        self.ends: dict[int, int] = {}

    async def end_offsets(self) -> dict[int, int]:
        self.ends = await self.broker.end_offsets(self.topic)
        return self.ends

    def skip_to_end(self) -> None:
        """Paused: remember the ends so a resume shows only what comes after."""
        self.positions = dict(self.ends)

    async def read_new(self) -> list[StreamRecord]:
        """Up to `keep` records per partition that arrived since the last call."""
        wanted: dict[int, int] = {}
        for partition, end in self.ends.items():
            start = max(self.positions.get(partition, 0), end - self.keep, 0)
            if start < end:
                wanted[partition] = start
        if not wanted:
            return []
        consumer = self._consumer_for()
        for partition, start in wanted.items():
            consumer.seek(TopicPartition(self.topic, partition), start)
        records: list[StreamRecord] = []
        reached = {p: False for p in wanted}
        # the embedded broker answers at once; a network broker needs a fetch round trip
        wait = 0.02 if getattr(self.broker, "embedded", False) else 0.5
        for _ in range(MAX_POLLS):
            batch = await consumer.poll(self.keep * len(wanted), wait)
            for record in batch:
                partition = record.partition or 0
                if partition not in wanted or record.offset is None:
                    continue
                if record.offset >= self.ends[partition]:
                    reached[partition] = True
                    continue
                records.append(record)
                if record.offset + 1 >= self.ends[partition]:
                    reached[partition] = True
            if all(reached.values()) or not batch:
                break
        self.positions.update({p: self.ends[p] for p in wanted})
        return records

    def _consumer_for(self) -> Any:
        if self._consumer is None:
            self._consumer = self.broker.consumer([self.topic], None, position="latest")
        return self._consumer

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            try:
                await consumer.close()
            except BrokerError:
                pass
