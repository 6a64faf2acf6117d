"""The broker protocol on a real Kafka-protocol cluster, with aiokafka.

Selected by LangStream's own `instance.yaml`:

    instance:
      streamingCluster:
        type: kafka
        configuration:
          admin:
            bootstrap.servers: localhost:9092     # plus security.protocol, sasl.*, ssl.*, ...

Parts: `kafka_config` (instance properties -> aiokafka arguments), `kafka_ssl`, `kafka_serde`
(bytes exactly as LangStream writes them), `kafka_producer`, `kafka_consumer`, `kafka_errors`.

Topics follow LangStream's Kafka runtime: `partitions` (at least 1), `options.replication-factor`
(default 1) and `config` at creation; `options.consumer.*` / `options.producer.*` go to the
clients reading / writing that topic. Consumer groups are `langstream-agent-<agent id>` (chosen by
the executor), offsets are committed manually and only after the outputs are acknowledged.

Clients are created inside the running loop (aiokafka #1086): `start()` and everything after it
must run on one loop. `start()` fails within `connect_timeout` seconds with a `BrokerError` that
says whether the cluster was unreachable or refused the login.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka import TopicPartition as KafkaTopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from kernel_runtime.brokers.base import (
    BrokerError,
    Position,
    TopicSpec,
    UnknownTopicError,
    consumer_topics,
)
from kernel_runtime.brokers.kafka_config import (
    ADMIN_PATH,
    KafkaConfigError,
    KafkaSettings,
    topic_client_options,
)
from kernel_runtime.brokers.kafka_consumer import KafkaConsumer
from kernel_runtime.brokers.kafka_errors import explain_start_failure
from kernel_runtime.brokers.kafka_producer import KafkaProducer

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36
UNKNOWN_TOPIC_OR_PARTITION = 3


def _topic_error(response: Any, codes_attr: str) -> dict[str, tuple[int, str | None]]:
    """{topic: (error code, message)} from a Create/DeleteTopics response of any version."""
    errors: dict[str, tuple[int, str | None]] = {}
    for entry in getattr(response, codes_attr):
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 and isinstance(entry[2], str) else None
        errors[name] = (code, message)
    return errors


class KafkaBroker:
    """`base.Broker` on a Kafka cluster; see the module docstring."""

    embedded = False

    def __init__(
        self,
        settings: KafkaSettings | str,
        *,
        consumer_options: Mapping[str, Any] | None = None,
        producer_options: Mapping[str, Any] | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        """`settings`: from instance.yaml (`from_instance`), or just bootstrap servers.

        `consumer_options` / `producer_options` are aiokafka arguments for every client of that
        kind (e.g. short group timeouts in tests); a topic's own options still win.
        """
        if isinstance(settings, str):
            settings = KafkaSettings.from_properties({"bootstrap.servers": settings})
        self.settings = settings
        self.consumer_options = dict(consumer_options or {})
        self.producer_options = dict(producer_options or {})
        self.connect_timeout = connect_timeout
        self._admin: AIOKafkaAdminClient | None = None
        self._producers: dict[tuple, AIOKafkaProducer] = {}
        self._producer_lock = asyncio.Lock()
        self._offsets_reader: AIOKafkaConsumer | None = None
        self._reader_lock = asyncio.Lock()
        self._consumers: set[KafkaConsumer] = set()
        self._topic_options: dict[str, dict[str, Any]] = {}
        self._closed = False

    @classmethod
    def from_instance(cls, streaming_cluster: Any, **kwargs: Any) -> KafkaBroker:
        """From `instance.streamingCluster` (type kafka), as LangStream reads it."""
        configuration = getattr(streaming_cluster, "configuration", None)
        if configuration is None and isinstance(streaming_cluster, Mapping):
            configuration = streaming_cluster.get("configuration")
        admin = (configuration or {}).get("admin")
        if not isinstance(admin, Mapping):
            raise KafkaConfigError(
                f"{ADMIN_PATH} is missing: a Kafka streamingCluster needs at least "
                "`configuration: {admin: {bootstrap.servers: host:port}}`"
            )
        return cls(KafkaSettings.from_properties(admin), **kwargs)

    def describe(self) -> str:
        return self.settings.describe()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (admin client); fails within `connect_timeout` with a clear `BrokerError`."""
        if self._closed:
            raise BrokerError("broker closed")
        if self._admin is not None:
            return
        if self.settings.ignored:
            log.warning(
                "%s: ignoring %s (no equivalent in the Python Kafka client)",
                ADMIN_PATH,
                ", ".join(self.settings.ignored),
            )
        admin = AIOKafkaAdminClient(**self.settings.admin_kwargs())
        await self.start_client(admin, "admin")
        self._admin = admin

    async def start_client(self, client: Any, kind: str) -> None:
        """Start an aiokafka client; on failure, close it and explain why in a `BrokerError`."""
        failure: BaseException | None = None
        try:
            await asyncio.wait_for(client.start(), self.connect_timeout)
            return
        except TimeoutError:
            failure = None
        except asyncio.CancelledError:
            await _close_quietly(client)
            raise
        except Exception as error:  # noqa: BLE001 - aiokafka raises KeyError etc. on bad logins
            failure = error
        await _close_quietly(client)
        raise await explain_start_failure(self.settings, failure, self.connect_timeout) from failure

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for consumer in list(self._consumers):
            await consumer.close()
        clients: list[Any] = [*self._producers.values(), self._offsets_reader, self._admin]
        self._producers.clear()
        self._offsets_reader = self._admin = None
        for client in clients:
            if client is not None:
                await _close_quietly(client)

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> AIOKafkaAdminClient:
        if self._closed:
            raise BrokerError("broker closed")
        if self._admin is None:
            raise BrokerError("KafkaBroker not started; call `await broker.start()` first")
        return self._admin

    # -- topics ------------------------------------------------------------------------------

    async def create_topic(self, spec: TopicSpec) -> None:
        admin = self._check_open()
        self._topic_options[spec.name] = dict(spec.options)
        if spec.creation_mode == "none":
            if not await self.topic_exists(spec.name):
                raise UnknownTopicError(spec.name)
            return
        try:
            replication = int(spec.options.get("replication-factor", 1))
        except (TypeError, ValueError):
            raise KafkaConfigError(
                f"topic {spec.name!r}: options.replication-factor must be a whole number, got "
                f"{spec.options.get('replication-factor')!r}"
            ) from None
        new_topic = NewTopic(
            spec.name,
            max(1, spec.partitions),
            replication,
            topic_configs={k: str(v) for k, v in (spec.config or {}).items() if v is not None},
        )
        try:
            response = await admin.create_topics([new_topic])
        except KafkaError as error:
            raise BrokerError(f"creating topic {spec.name!r} failed: {error}") from error
        code, message = _topic_error(response, "topic_errors").get(spec.name, (0, None))
        if code not in (0, TOPIC_ALREADY_EXISTS):
            raise BrokerError(
                f"creating topic {spec.name!r} (partitions {new_topic.num_partitions}, "
                f"replication-factor {replication}) failed: error {code} {message or ''}".rstrip()
            )

    async def delete_topic(self, name: str) -> None:
        admin = self._check_open()
        self._topic_options.pop(name, None)
        try:
            response = await admin.delete_topics([name])
        except KafkaError as error:
            raise BrokerError(f"deleting topic {name!r} failed: {error}") from error
        code, _ = _topic_error(response, "topic_error_codes").get(name, (0, None))
        if code not in (0, UNKNOWN_TOPIC_OR_PARTITION):
            raise BrokerError(f"deleting topic {name!r} failed: error {code}")

    async def topic_exists(self, name: str) -> bool:
        return name in await self._partition_counts()

    async def _partition_counts(self) -> dict[str, int]:
        """Every topic's partition count; one metadata request for all topics (creates none)."""
        admin = self._check_open()
        try:
            topics = await admin.describe_topics()
        except KafkaError as error:
            raise BrokerError(f"listing topics on {self.describe()} failed: {error}") from error
        return {t["topic"]: len(t["partitions"]) for t in topics if not t["error_code"]}

    async def partitions(self, topics: Sequence[str]) -> list[KafkaTopicPartition]:
        counts = await self._partition_counts()
        missing = [name for name in topics if name not in counts]
        if missing:
            raise UnknownTopicError(missing[0])
        return [KafkaTopicPartition(name, p) for name in topics for p in range(counts[name])]

    # -- clients -----------------------------------------------------------------------------

    def producer(self) -> KafkaProducer:
        self._check_open()
        return KafkaProducer(self)

    def consumer(
        self,
        topics: Sequence[str],
        group_id: str | None,
        *,
        position: Position = "earliest",
    ) -> KafkaConsumer:
        self._check_open()
        topics = consumer_topics(topics, position)
        consumer = KafkaConsumer(self, topics, group_id, position)
        self._consumers.add(consumer)
        return consumer

    def forget(self, consumer: KafkaConsumer) -> None:
        self._consumers.discard(consumer)

    def consumer_kwargs(self, topics: Sequence[str]) -> dict[str, Any]:
        overrides: dict[str, Any] = dict(self.consumer_options)
        for name in topics:
            overrides.update(topic_client_options(self._topic_options.get(name), "consumer"))
        return self.settings.consumer_kwargs(overrides)

    async def producer_client(self, topic: str) -> AIOKafkaProducer:
        """The started aiokafka producer for `topic`: shared, unless its options differ."""
        self._check_open()
        overrides = {
            **self.producer_options,
            **topic_client_options(self._topic_options.get(topic), "producer"),
        }
        key = tuple(sorted((k, repr(v)) for k, v in overrides.items()))
        client = self._producers.get(key)
        if client is not None:
            return client
        async with self._producer_lock:
            client = self._producers.get(key)
            if client is None:
                client = AIOKafkaProducer(**self.settings.producer_kwargs(overrides))
                await self.start_client(client, "producer")
                self._producers[key] = client
        return client

    # -- offsets -----------------------------------------------------------------------------

    async def _reader(self) -> AIOKafkaConsumer:
        self._check_open()
        if self._offsets_reader is None:
            options = {**self.consumer_kwargs(()), "group_id": None, "fetch_max_wait_ms": 10}
            reader = AIOKafkaConsumer(**options)
            await self.start_client(reader, "consumer")
            self._offsets_reader = reader
        return self._offsets_reader

    async def end_offsets(self, topic: str) -> dict[int, int]:
        ends = await self.true_end_offsets(await self.partitions([topic]))
        return {tp.partition: offset for tp, offset in ends.items()}

    async def true_end_offsets(
        self, partitions: list[KafkaTopicPartition]
    ) -> dict[KafkaTopicPartition, int]:
        """End offsets checked against a fetch's high watermark: tansu 0.6 answers
        ListOffsets(latest) with the last batch's base offset + 1, short by the rest of it."""
        async with self._reader_lock:
            reader = await self._reader()
            try:
                listed = await reader.end_offsets(partitions)
                return await _high_watermarks(reader, listed)
            except KafkaError as error:
                topics = ", ".join(sorted({tp.topic for tp in partitions}))
                raise BrokerError(f"reading end offsets of {topics} failed: {error}") from error

    async def group_members(self, group_id: str) -> tuple[str, int]:
        """(state, member count) of a consumer group, e.g. ("Stable", 2), ("Empty", 0)."""
        admin = self._check_open()
        try:
            (response,) = await admin.describe_consumer_groups([group_id])
        except KafkaError as error:
            raise BrokerError(f"describing group {group_id!r} failed: {error}") from error
        (group,) = response.groups
        return group[2], len(group[5])

    async def committed(self, group_id: str, topic: str) -> dict[int, int]:
        admin = self._check_open()
        partitions = await self.partitions([topic])
        try:
            offsets = await admin.list_consumer_group_offsets(group_id, partitions=partitions)
        except KafkaError as error:
            raise BrokerError(
                f"reading committed offsets of group {group_id!r} failed: {error}"
            ) from error
        return {tp.partition: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def _high_watermarks(
    reader: AIOKafkaConsumer, listed: dict[KafkaTopicPartition, int], timeout: float = 5.0
) -> dict[KafkaTopicPartition, int]:
    """Fetch from each non-empty partition's last listed offset; any fetch response carries the
    high watermark, the true end. Falls back to the listed end after `timeout`."""
    ends = dict(listed)
    pending = {tp for tp, offset in listed.items() if offset > 0}
    if not pending:
        return ends
    reader.assign(list(pending))
    for tp in pending:
        reader.seek(tp, listed[tp] - 1)
    deadline = asyncio.get_running_loop().time() + timeout
    while pending and asyncio.get_running_loop().time() < deadline:
        await reader.getmany(*pending, timeout_ms=200, max_records=1)
        for tp in list(pending):
            high = reader.highwater(tp)
            if high is not None:
                ends[tp] = max(ends[tp], high)
                pending.discard(tp)
    reader.assign([])
    return ends


async def _close_quietly(client: Any) -> None:
    try:
        await (client.close() if isinstance(client, AIOKafkaAdminClient) else client.stop())
    except Exception as error:  # noqa: BLE001 - closing must never hide the real outcome
        log.debug("closing %s: %r", type(client).__name__, error)
