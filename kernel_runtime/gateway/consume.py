"""Reading a topic for a client: from `option:position`, through the gateway's filters.

Each reader is its own consumer outside any group (group id None): it never commits and never
takes partitions from the pipeline's agents. Positions, as LangStream's reader:
- `latest` (default): records appended from now on (all partitions seeked to their end);
- `earliest`: everything the topic retains;
- the `offset` of a message received before: resume right after it (partitions it does not
  name start at their end, as in LangStream); a plain number: that offset in every partition.
"""

from __future__ import annotations

from kernel_runtime.brokers.base import Broker, Consumer, TopicPartition
from kernel_runtime.gateway.errors import GatewayError
from kernel_runtime.gateway.headers import RecordFilter
from kernel_runtime.gateway.messages import decode_offset, encode_offset
from kernel_runtime.records import StreamRecord


class TopicReader:
    def __init__(
        self,
        broker: Broker,
        topic: str,
        position: str = "latest",
        record_filter: RecordFilter | None = None,
    ) -> None:
        self.broker = broker
        self.topic = topic
        self.position = position
        self.record_filter = record_filter
        self.positions: dict[int, int] = {}
        self.consumer: Consumer | None = None

    async def open(self) -> None:
        ends = await self.broker.end_offsets(self.topic)
        if self.position == "latest":
            wanted = dict(ends)
        elif self.position == "earliest":
            wanted = {}
            self.positions = {partition: 0 for partition in ends}
        else:
            try:
                offsets = decode_offset(self.position)
            except ValueError as error:
                raise GatewayError(str(error)) from None
            every = offsets.pop(-1, None)
            wanted = {
                p: offsets.get(p, every if every is not None else end) for p, end in ends.items()
            }
        consumer = self.broker.consumer([self.topic], None, position="earliest")
        for partition, offset in wanted.items():
            consumer.seek(TopicPartition(self.topic, partition), min(offset, ends[partition]))
            self.positions[partition] = min(offset, ends[partition])
        self.consumer = consumer

    async def read(
        self, timeout: float = 1.0, max_records: int = 500
    ) -> list[tuple[StreamRecord, str]]:
        """Records that pass the filter, each with the offset token that resumes after it."""
        assert self.consumer is not None, "open() first"
        records = await self.consumer.poll(max_records, timeout)
        selected: list[tuple[StreamRecord, str]] = []
        keep = self.record_filter
        for record in records:
            self.positions[record.partition or 0] = (record.offset or 0) + 1
            if keep is None or keep(record):
                selected.append((record, encode_offset(self.positions)))
        return selected

    async def close(self) -> None:
        if self.consumer is not None:
            consumer, self.consumer = self.consumer, None
            await consumer.close()
