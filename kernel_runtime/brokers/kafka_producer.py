"""Writing records to Kafka: `send_batch` returns once every record is acknowledged.

Records are serialised as LangStream does (`kafka_serde`) and appended straight into aiokafka
record batches (its batch API), one partition at a time, instead of one `send()` call per record:
that is several times cheaper per record. Partitions are chosen as Kafka's Java client does:
keyed records by murmur2 of the key bytes (the same partition as LangStream would pick), records
without a key stick to one partition per call, rotating between calls.

aiokafka keeps a partition's batches in order (one in flight per partition), so records of one
call keep their order within each partition, as `base.Producer` promises.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiokafka.errors import KafkaError, KafkaTimeoutError
from aiokafka.partitioner import murmur2

from kernel_runtime.brokers.base import BrokerError
from kernel_runtime.brokers.kafka_serde import SerializationError, encode, encode_headers
from kernel_runtime.records import StreamRecord

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

    from kernel_runtime.brokers.kafka import KafkaBroker

_sticky = itertools.count()
_NO_HEADERS: list = []  # shared: aiokafka's C batch builder wants a list and only reads it
_PARTITION_CACHE_LIMIT = 65536
_partition_of_key: dict[tuple[bytes, int], int] = {}


def partition_for(key: bytes, partitions: int) -> int:
    """Kafka's default partitioner for keyed records (Java and aiokafka agree).

    murmur2 is pure Python in aiokafka (~3us); keys repeat, so results are cached (bounded).
    """
    cached = _partition_of_key.get((key, partitions))
    if cached is None:
        if len(_partition_of_key) >= _PARTITION_CACHE_LIMIT:
            _partition_of_key.clear()
        cached = _partition_of_key[(key, partitions)] = (murmur2(key) & 0x7FFFFFFF) % partitions
    return cached


class KafkaProducer:
    """A `base.Producer` over the broker's aiokafka producers (shared, per producer options)."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker
        self._closed = False

    async def send(self, topic: str, record: StreamRecord) -> None:
        await self.send_batch(topic, (record,))

    async def send_batch(self, topic: str, records: Sequence[StreamRecord]) -> None:
        if self._closed:
            raise BrokerError("producer closed")
        if not records:
            return
        client = await self._broker.producer_client(topic)
        try:
            count = len(await client.partitions_for(topic))
            waits = await _append_all(client, topic, records, count)
            await asyncio.gather(*waits)
        except SerializationError as error:
            raise BrokerError(f"cannot write to topic {topic!r}: {error}") from None
        except KafkaTimeoutError:
            raise BrokerError(
                f"writing to topic {topic!r} on {self._broker.describe()} timed out: the topic "
                "may not exist (declare it with creation-mode: create-if-not-exists) or the "
                "cluster is unreachable"
            ) from None
        except KafkaError as error:
            raise BrokerError(
                f"writing to topic {topic!r} on {self._broker.describe()} failed: {error}"
            ) from error

    async def close(self) -> None:
        self._closed = True


async def _append_all(
    client: AIOKafkaProducer, topic: str, records: Sequence[Any], partitions: int
) -> list[Any]:
    """Encode records into aiokafka record batches per partition; the acks' futures.

    Batches are handed to aiokafka only once every record is encoded, so a record that cannot
    be serialised fails the call with nothing written. Runs per record: kept flat.
    """
    sticky = next(_sticky) % partitions
    filling: dict[int, Any] = {}
    full: list[tuple[int, Any]] = []
    create = client.create_batch
    for record in records:
        if type(record) is StreamRecord:
            key, value, headers, timestamp = (
                record._key,
                record._value,
                record._headers,
                record._timestamp,
            )
        else:
            key, value, headers, timestamp = (
                record.key(),
                record.value(),
                record.headers(),
                record.timestamp(),
            )
        key = key.encode() if type(key) is str else encode(key, "key")
        value = value.encode() if type(value) is str else encode(value, "value")
        headers = encode_headers(headers) if headers else _NO_HEADERS
        partition = sticky if key is None or partitions == 1 else partition_for(key, partitions)
        batch = filling.get(partition)
        if batch is None:
            batch = filling[partition] = create()
        if batch.append(key=key, value=value, timestamp=timestamp, headers=headers) is None:
            full.append((partition, batch))
            batch = filling[partition] = create()
            if batch.append(key=key, value=value, timestamp=timestamp, headers=headers) is None:
                raise BrokerError(
                    f"a record for topic {topic!r} does not fit in an empty record batch; "
                    "raise options.producer.batch.size, or send smaller records"
                )
    full += [(partition, batch) for partition, batch in filling.items() if batch.record_count()]
    # in order per partition: aiokafka keeps a partition's batches in the order handed over
    return [await client.send_batch(batch, topic, partition=partition) for partition, batch in full]
