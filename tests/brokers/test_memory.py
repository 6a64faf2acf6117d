"""Behaviour of the embedded broker: partitions, offsets, groups, retention, shutdown."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import zlib
from collections import Counter
from typing import Any

import pytest
from langstream import SimpleRecord

from kernel_runtime.brokers.base import (
    BrokerError,
    TopicPartition,
    TopicSpec,
    UnknownTopicError,
)
from kernel_runtime.brokers.memory import MemoryBroker, MemoryConsumer
from kernel_runtime.brokers.memory_log import key_partition
from kernel_runtime.records import StreamRecord, now_millis

pytestmark = pytest.mark.timeout(15)


async def make_broker(*specs: TopicSpec, **options: Any) -> MemoryBroker:
    broker = MemoryBroker(**options)
    await broker.start()
    for spec in specs:
        await broker.create_topic(spec)
    return broker


def tp(topic: str, partition: int) -> TopicPartition:
    return TopicPartition(topic, partition)


def where(record: StreamRecord) -> tuple[int, int]:
    """(partition, offset) of a record read from the broker."""
    assert record.partition is not None and record.offset is not None
    return record.partition, record.offset


async def drain(
    consumer: MemoryConsumer, expected: int, timeout: float = 2.0
) -> list[StreamRecord]:
    """Poll until `expected` records came (or fail after `timeout`)."""
    records: list[StreamRecord] = []
    deadline = time.monotonic() + timeout
    while len(records) < expected:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"got {len(records)} of {expected} records"
        records.extend(await consumer.poll(1000, timeout=min(remaining, 0.2)))
    return records


async def commit_all(consumer: MemoryConsumer, records: list[StreamRecord]) -> None:
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        partition, offset = where(record)
        assert record.topic is not None
        offsets[tp(record.topic, partition)] = offset + 1
    await consumer.commit(offsets)


# -- partitioning, offsets, record fields -----------------------------------------------------


def test_key_partition_is_a_stable_hash_of_canonical_bytes() -> None:
    assert key_partition("user-42", 4) == zlib.crc32(b"user-42") % 4
    assert key_partition(b"user-42", 4) == key_partition("user-42", 4)
    assert key_partition(7, 5) == zlib.crc32(b"7") % 5
    assert key_partition({"b": 1, "a": [1, 2]}, 8) == key_partition({"a": [1, 2], "b": 1}, 8)
    assert key_partition({"a": [1, 2], "b": 1}, 8) == zlib.crc32(b'{"a":[1,2],"b":1}') % 8


async def test_same_key_same_partition_and_keys_spread() -> None:
    broker = await make_broker(TopicSpec("t", partitions=4))
    producer = broker.producer()
    records = [StreamRecord(f"v{i}", f"key-{i % 200}") for i in range(1000)]
    await producer.send_batch("t", records[:500])
    for record in records[500:]:
        await producer.send("t", record)
    consumer = broker.consumer(["t"], None)
    got = await drain(consumer, 1000)
    partitions_of_key: dict[str, set[int]] = {}
    for record in got:
        partitions_of_key.setdefault(record.key(), set()).add(where(record)[0])
        assert record.partition == key_partition(record.key(), 4)
    assert all(len(parts) == 1 for parts in partitions_of_key.values())
    spread = Counter(record.partition for record in got)
    assert set(spread) == {0, 1, 2, 3}
    assert min(spread.values()) > 150


async def test_keyless_records_spread_over_partitions() -> None:
    broker = await make_broker(TopicSpec("t", partitions=3))
    producer = broker.producer()
    for i in range(6):
        await producer.send("t", StreamRecord(i))
    await producer.send_batch("t", [StreamRecord(i) for i in range(3000)])
    ends = await broker.end_offsets("t")
    assert sum(ends.values()) == 3006
    assert all(end >= 500 for end in ends.values()), ends


async def test_offsets_start_at_zero_and_order_is_kept_per_partition() -> None:
    broker = await make_broker(TopicSpec("t", partitions=2))
    producer = broker.producer()
    keys = {key_partition(f"k{i}", 2): f"k{i}" for i in range(10)}  # one key per partition
    for start in range(0, 400, 50):
        batch = [StreamRecord(i, keys[i % 2]) for i in range(start, start + 50)]
        await producer.send_batch("t", batch)
    consumer = broker.consumer(["t"], "g")
    got = await drain(consumer, 400)
    for partition in (0, 1):
        mine = [r for r in got if r.partition == partition]
        assert [r.offset for r in mine] == list(range(len(mine)))
        assert [r.value() for r in mine] == sorted(r.value() for r in mine)
        assert all(r.topic == "t" for r in mine)
    assert await broker.end_offsets("t") == {0: 200, 1: 200}


async def test_headers_timestamps_origin_round_trip() -> None:
    broker = await make_broker(TopicSpec("t"))
    before = now_millis()
    await broker.producer().send_batch(
        "t",
        [
            StreamRecord("a", "k", [("h1", "x"), ("h2", b"\x00"), ("h1", 3)], "src", 1234),
            StreamRecord("b", headers=[["name", None]]),  # type: ignore[list-item]
            SimpleRecord("c", key=b"kb", headers=[("n", 1.5)], origin="o", timestamp=99),
        ],
    )
    first, second, third = await drain(broker.consumer(["t"], None), 3)
    assert first.headers() == [("h1", "x"), ("h2", b"\x00"), ("h1", 3)]
    assert first.header("h1") == 3
    assert (first.key(), first.origin(), first.timestamp()) == ("k", "src", 1234)
    assert second.headers() == [("name", None)]
    assert before <= (second.timestamp() or 0) <= now_millis()
    assert (third.value(), third.key(), third.headers()) == ("c", b"kb", [("n", 1.5)])
    assert (third.origin(), third.timestamp()) == ("o", 99)
    assert second.destination is None
    await broker.producer().send("t", StreamRecord("d", headers={"a": 1}))  # type: ignore[arg-type]
    assert (await drain(broker.consumer(["t"], "g"), 4))[3].headers() == [("a", 1)]
    with pytest.raises(BrokerError, match="pair"):
        await broker.producer().send("t", StreamRecord("e", headers=[("a", 1, 2)]))  # type: ignore[list-item]


async def test_consumers_never_see_mutations_of_values_keys_or_headers() -> None:
    broker = await make_broker(TopicSpec("t"))
    value = {"text": "hello", "tags": ["a"], "nested": {"n": 1}}
    headers = [("meta", {"trace": [1]}), ("plain", "x")]
    sent = StreamRecord(value, {"id": 1}, headers)
    await broker.producer().send("t", sent)
    value["text"] = "changed by producer"  # the producer reusing its dict changes nothing

    first = (await drain(broker.consumer(["t"], "g1"), 1))[0]
    first.value()["tags"].append("mutated")
    first.value()["nested"]["n"] = 2
    first.key()["id"] = 99
    first.headers().append(("extra", 1))
    first.headers()[0][1]["trace"].append(2)

    second = (await drain(broker.consumer(["t"], "g2"), 1))[0]
    assert second.value() == {"text": "hello", "tags": ["a"], "nested": {"n": 1}}
    assert second.key() == {"id": 1}
    assert second.headers() == [("meta", {"trace": [1]}), ("plain", "x")]
    assert type(second.headers()[0]) is tuple


async def test_values_pickle_cannot_handle_are_deep_copied() -> None:
    broker = await make_broker(TopicSpec("t"))
    func = lambda: 1  # noqa: E731 - a local lambda cannot be pickled
    await broker.producer().send("t", StreamRecord({"f": func, "items": [1]}))
    consumer = broker.consumer(["t"], None)
    first = (await drain(consumer, 1))[0]
    first.value()["items"].append(2)
    consumer.seek(tp("t", 0), 0)
    again = (await drain(consumer, 1))[0]
    assert again.value()["items"] == [1] and again.value()["f"] is func


# -- topics and errors ------------------------------------------------------------------------


async def test_topics_create_delete_exist_and_unknown_topic_errors() -> None:
    broker = await make_broker()
    await broker.create_topic(TopicSpec("t", partitions=2))
    await broker.create_topic(TopicSpec("t", partitions=5))  # no-op
    assert await broker.topic_exists("t")
    assert await broker.end_offsets("t") == {0: 0, 1: 0}
    assert broker.list_topics() == ["t"]
    with pytest.raises(UnknownTopicError) as error:
        await broker.producer().send("nope", StreamRecord(1))
    assert error.value.topic == "nope"
    with pytest.raises(UnknownTopicError):
        broker.consumer(["nope"], "g")
    with pytest.raises(UnknownTopicError):
        await broker.end_offsets("nope")
    await broker.delete_topic("t")
    await broker.delete_topic("t")  # idempotent
    assert not await broker.topic_exists("t")
    with pytest.raises(BrokerError):
        await broker.create_topic(TopicSpec("bad", partitions=0))


async def test_auto_create_topics_flag() -> None:
    broker = await make_broker(auto_create_topics=True, default_partitions=3)
    await broker.producer().send("auto", StreamRecord(1))
    assert await broker.topic_exists("auto")
    assert len(await broker.end_offsets("auto")) == 3
    broker.consumer(["auto-2"], "g")
    assert await broker.topic_exists("auto-2")


async def test_deleted_topic_is_dropped_from_readers_and_comes_back_when_recreated() -> None:
    broker = await make_broker(TopicSpec("t"))
    await broker.producer().send("t", StreamRecord(1))
    member = broker.consumer(["t"], "g")
    reader = broker.consumer(["t"], None)
    await commit_all(member, await drain(member, 1))
    await broker.delete_topic("t")
    assert member.assignment() == set() and reader.assignment() == set()
    assert await broker.committed("g", "t") == {}
    await broker.create_topic(TopicSpec("t"))
    assert member.assignment() == {tp("t", 0)} and reader.assignment() == {tp("t", 0)}
    await broker.producer().send("t", StreamRecord(2))
    assert [r.value() for r in await drain(member, 1)] == [2]
    assert [r.value() for r in await drain(reader, 1)] == [2]


# -- consumer groups --------------------------------------------------------------------------


async def test_group_assignment_is_exclusive_and_rebalances_on_join_and_leave() -> None:
    broker = await make_broker(TopicSpec("t", partitions=4), TopicSpec("u", partitions=1))
    everything = {tp("t", p) for p in range(4)}
    a = broker.consumer(["t"], "g")
    assert a.assignment() == everything
    b = broker.consumer(["t"], "g")
    assert len(a.assignment()) == len(b.assignment()) == 2
    assert a.assignment() | b.assignment() == everything
    kept = a.assignment()
    c = broker.consumer(["t", "u"], "g")
    sets = [a.assignment(), b.assignment(), c.assignment()]
    assert sorted(len(s & everything) for s in sets) == [1, 1, 2]
    assert set().union(*sets) == everything | {tp("u", 0)}
    assert sum(len(s) for s in sets) == 5
    assert c.assignment() >= {tp("u", 0)}
    assert len(a.assignment() & kept) >= 1  # sticky: a keeps some of what it had
    await b.close()
    assert a.assignment() | c.assignment() == everything | {tp("u", 0)}
    assert not a.assignment() & c.assignment()
    await a.close()
    await c.close()
    other = broker.consumer(["t"], "other")
    assert other.assignment() == everything  # groups are independent
    assert broker.list_groups() == ["other"]


async def test_rebalance_redelivers_uncommitted_records_and_loses_none() -> None:
    broker = await make_broker(TopicSpec("t", partitions=4))
    producer = broker.producer()
    await producer.send_batch("t", [StreamRecord(i, f"k{i}") for i in range(400)])
    a = broker.consumer(["t"], "g")
    got_a = await drain(a, 400)
    await commit_all(a, [r for r in got_a if r.partition in (0, 1)])  # 2 and 3 uncommitted
    b = broker.consumer(["t"], "g")
    moved = b.assignment()
    assert len(moved) == 2 and not moved & a.assignment()
    committed = await broker.committed("g", "t")
    # A moved partition restarts at the committed offset (or where the group started it).
    expected = {
        (p, o) for p, o in map(where, got_a) if tp("t", p) in moved and o >= committed.get(p, 0)
    }
    assert expected  # something uncommitted did move
    got_b = await drain(b, len(expected))
    assert {(r.partition, r.offset) for r in got_b} == expected
    assert await a.poll(1000, timeout=0.05) == []  # a keeps its positions on what it kept
    # A commit for a partition `a` lost is dropped; b's commits count.
    lost = next(iter(moved))
    await a.commit({lost: 999})
    assert (await broker.committed("g", "t")).get(lost.partition) != 999
    await commit_all(b, got_b)
    await producer.send_batch("t", [StreamRecord(i, f"k{i}") for i in range(400, 500)])
    more_a = await a.poll(1000, timeout=0.2)
    more_b = await b.poll(1000, timeout=0.2)
    assert len(more_a) + len(more_b) == 100
    assert not {(r.partition, r.offset) for r in more_a} & {(r.partition, r.offset) for r in more_b}


async def test_committed_offsets_resume_and_position_applies_without_commit() -> None:
    broker = await make_broker(TopicSpec("t", partitions=2))
    producer = broker.producer()
    await producer.send_batch("t", [StreamRecord(i, f"k{i}") for i in range(100)])
    first = broker.consumer(["t"], "g")
    got = await drain(first, 100)
    await first.commit({tp("t", 0): 10, tp("t", 1): 20})
    await first.close()
    assert await broker.committed("g", "t") == {0: 10, 1: 20}
    assert sum(broker.group_lag("g").values()) == 70

    again = broker.consumer(["t"], "g", position="latest")  # committed offsets win
    resumed = await drain(again, 70)
    assert set(map(where, resumed)) == {(p, o) for p, o in map(where, got) if o >= (10, 20)[p]}

    latest = broker.consumer(["t"], "fresh", position="latest")
    assert await latest.poll(10, timeout=0.05) == []
    await producer.send("t", StreamRecord("new"))
    assert [r.value() for r in await drain(latest, 1)] == ["new"]
    earliest = broker.consumer(["t"], "fresh-2", position="earliest")
    assert len(await drain(earliest, 101)) == 101


async def test_groupless_consumer_reads_everything_seeks_and_cannot_commit() -> None:
    broker = await make_broker(TopicSpec("t", partitions=2))
    await broker.producer().send_batch("t", [StreamRecord(i, f"k{i}") for i in range(50)])
    group_member = broker.consumer(["t"], "g")
    reader = broker.consumer(["t"], None)
    assert reader.assignment() == {tp("t", 0), tp("t", 1)}
    assert group_member.assignment() == {tp("t", 0), tp("t", 1)}  # readers are not members
    assert len(await drain(reader, 50)) == 50
    ends = await broker.end_offsets("t")
    reader.seek(tp("t", 0), ends[0] - 2)
    reader.seek(tp("t", 1), 10_000)  # clamped to the end
    again = await drain(reader, 2)
    assert [(r.partition, r.offset) for r in again] == [(0, ends[0] - 2), (0, ends[0] - 1)]
    assert reader.position(tp("t", 1)) == ends[1]
    with pytest.raises(BrokerError, match="group_id"):
        await reader.commit({tp("t", 0): 1})
    with pytest.raises(BrokerError, match="not assigned"):
        reader.seek(tp("other", 0), 0)
    with pytest.raises(ValueError):
        reader.seek(tp("t", 0), -1)


# -- waiting, retention, backpressure, shutdown -----------------------------------------------


async def test_poll_wakes_up_on_append_and_times_out_otherwise() -> None:
    broker = await make_broker(TopicSpec("t", partitions=2))
    consumer = broker.consumer(["t"], "g")
    started = time.monotonic()
    assert await consumer.poll(10, timeout=0.1) == []
    assert 0.09 <= time.monotonic() - started < 0.5

    async def produce_later() -> None:
        await asyncio.sleep(0.05)
        await broker.producer().send("t", StreamRecord("late", "k"))

    task = asyncio.create_task(produce_later())
    started = time.monotonic()
    records = await consumer.poll(10, timeout=5.0)
    assert [r.value() for r in records] == ["late"]
    assert time.monotonic() - started < 1.0
    await task


async def test_poll_wakes_up_when_a_rebalance_hands_it_partitions() -> None:
    broker = await make_broker(TopicSpec("t"))
    a = broker.consumer(["t"], "g")
    b = broker.consumer(["t"], "g")
    idle = b if not b.assignment() else a
    busy = a if idle is b else b
    waiting = asyncio.create_task(idle.poll(10, timeout=5.0))
    await asyncio.sleep(0.02)
    await broker.producer().send("t", StreamRecord(1))
    await busy.close()
    started = time.monotonic()
    assert [r.value() for r in await asyncio.wait_for(waiting, 2.0)] == [1]
    assert time.monotonic() - started < 1.0


async def test_retention_trims_by_records_and_skips_readers_forward() -> None:
    broker = await make_broker(TopicSpec("t", config={"retention.records": 10}))
    reader = broker.consumer(["t"], None)
    await broker.producer().send_batch("t", [StreamRecord(i) for i in range(25)])
    stats = broker.topic_stats("t")
    part = stats["partitions"][0]
    assert (part["start_offset"], part["end_offset"], part["records"]) == (15, 25, 10)
    got = await drain(reader, 10)
    assert [r.offset for r in got] == list(range(15, 25))
    assert broker.topic_stats("t")["skipped"] == 15
    assert stats["retention_records"] == 10


async def test_retention_trims_by_bytes() -> None:
    broker = await make_broker(TopicSpec("t"), retention_bytes=1000)
    await broker.producer().send_batch("t", [StreamRecord("x" * 100) for _ in range(25)])
    part = broker.topic_stats("t")["partitions"][0]
    assert part["bytes"] <= 1000 and part["records"] == 10
    assert part["start_offset"] == 15
    await broker.producer().send("t", StreamRecord("y" * 5000))  # larger than the bound alone
    part = broker.topic_stats("t")["partitions"][0]
    assert (part["records"], part["start_offset"], part["end_offset"]) == (1, 25, 26)


async def test_retention_bounds_come_from_topic_config() -> None:
    broker = await make_broker(
        TopicSpec("small", config={"retention.bytes": "300"}),
        TopicSpec("unbounded", config={"retention.records": -1}),
        retention_records=5,
    )
    producer = broker.producer()
    await producer.send_batch("small", [StreamRecord("x" * 100) for _ in range(4)])
    await producer.send_batch("unbounded", [StreamRecord(i) for i in range(20)])
    assert broker.topic_stats("small")["partitions"][0]["records"] == 3
    assert broker.topic_stats("small")["retention_bytes"] == 300
    assert broker.topic_stats("unbounded")["records"] == 20
    assert broker.topic_stats("unbounded")["retention_records"] is None
    with pytest.raises(BrokerError, match="retention.records"):
        await broker.create_topic(TopicSpec("zero", config={"retention.records": 0}))


async def test_deleting_a_topic_fails_a_send_waiting_on_it() -> None:
    broker = await make_broker(TopicSpec("t", config={"retention.records": 2}))
    broker.consumer(["t"], "g")
    sending = asyncio.create_task(
        broker.producer().send_batch("t", [StreamRecord(i) for i in range(5)])
    )
    await asyncio.sleep(0.02)
    assert not sending.done()
    await broker.delete_topic("t")
    with pytest.raises(UnknownTopicError):
        await asyncio.wait_for(sending, 1.0)


async def test_retention_is_blocked_by_an_active_group_until_it_commits() -> None:
    broker = await make_broker(TopicSpec("t", config={"retention.records": 10}))
    consumer = broker.consumer(["t"], "g")
    producer = broker.producer()
    sending = asyncio.create_task(producer.send_batch("t", [StreamRecord(i) for i in range(25)]))
    await asyncio.sleep(0.05)
    assert not sending.done()  # backpressure: the group still needs offset 0
    assert broker.topic_stats("t")["partitions"][0]["end_offset"] == 10
    received: list[StreamRecord] = []
    while len(received) < 25:
        batch = await consumer.poll(7, timeout=1.0)
        assert batch, "producer never resumed"
        received.extend(batch)
        await commit_all(consumer, batch)
    await asyncio.wait_for(sending, 1.0)
    assert [r.value() for r in received] == list(range(25))  # nothing lost
    assert broker.topic_stats("t")["skipped"] == 0


async def test_backpressure_ends_when_the_group_leaves() -> None:
    broker = await make_broker(TopicSpec("t", config={"retention.records": 5}))
    consumer = broker.consumer(["t"], "g")
    sending = asyncio.create_task(
        broker.producer().send_batch("t", [StreamRecord(i) for i in range(8)])
    )
    await asyncio.sleep(0.05)
    assert not sending.done()
    await consumer.close()
    await asyncio.wait_for(sending, 1.0)
    part = broker.topic_stats("t")["partitions"][0]
    assert (part["start_offset"], part["end_offset"]) == (3, 8)


async def test_close_wakes_waiting_polls_and_senders_then_rejects_calls() -> None:
    broker = await make_broker(TopicSpec("t", config={"retention.records": 1}))
    consumer = broker.consumer(["t"], "g")
    producer = broker.producer()
    await producer.send("t", StreamRecord(0))
    idle = broker.consumer(["t"], "g2", position="latest")
    blocked = asyncio.create_task(producer.send("t", StreamRecord(1)))
    polling = asyncio.create_task(idle.poll(10, timeout=5.0))
    await asyncio.sleep(0.05)
    assert not blocked.done() and not polling.done()
    started = time.monotonic()
    await broker.close()
    assert await asyncio.wait_for(polling, 1.0) == []
    with pytest.raises(BrokerError, match="broker closed"):
        await asyncio.wait_for(blocked, 1.0)
    assert time.monotonic() - started < 1.0
    with pytest.raises(BrokerError, match="broker closed"):
        await consumer.poll(1, timeout=0)
    with pytest.raises(BrokerError, match="broker closed"):
        await producer.send("t", StreamRecord(2))
    with pytest.raises(BrokerError, match="broker closed"):
        await broker.create_topic(TopicSpec("u"))
    with pytest.raises(BrokerError, match="broker closed"):
        broker.consumer(["t"], "g")
    await consumer.close()  # closing clients after the broker is harmless


async def test_consumer_close_wakes_its_poll_and_rejects_further_use() -> None:
    broker = await make_broker(TopicSpec("t"))
    consumer = broker.consumer(["t"], "g")
    polling = asyncio.create_task(consumer.poll(10, timeout=5.0))
    await asyncio.sleep(0.02)
    await consumer.close()
    assert await asyncio.wait_for(polling, 1.0) == []
    with pytest.raises(BrokerError, match="consumer closed"):
        await consumer.poll()
    producer = broker.producer()
    await producer.close()
    with pytest.raises(BrokerError, match="producer closed"):
        await producer.send("t", StreamRecord(1))


async def test_stats_lag_and_listings() -> None:
    broker = await make_broker(TopicSpec("t", partitions=2), TopicSpec("a"))
    await broker.producer().send_batch("t", [StreamRecord("abc", f"k{i}") for i in range(10)])
    consumer = broker.consumer(["t"], "g")
    got = await drain(consumer, 10)
    await commit_all(consumer, got[:4])
    stats = broker.topic_stats("t")
    assert stats["records"] == 10 and stats["bytes"] > 10 * 3
    assert [p["partition"] for p in stats["partitions"]] == [0, 1]
    lag = broker.group_lag("g")
    assert set(lag) == {tp("t", 0), tp("t", 1)} and sum(lag.values()) == 6
    assert broker.group_lag("unknown") == {}
    assert await broker.committed("unknown", "t") == {}
    assert broker.list_topics() == ["a", "t"]
    assert broker.list_groups() == ["g"]


# -- a randomised end-to-end check ------------------------------------------------------------


async def test_churning_group_delivers_every_record_at_least_once_in_order() -> None:
    broker = await make_broker(TopicSpec("t", partitions=4, config={"retention.records": 50}))
    rng = random.Random(7)
    total = 3000
    seen: set[int] = set()
    last_offset: dict[tuple[int, int], int] = {}  # (member, partition) -> last offset delivered

    async def produce() -> None:
        producer = broker.producer()
        for start in range(0, total, 100):
            batch = [StreamRecord(i, f"k{i % 37}") for i in range(start, start + 100)]
            await producer.send_batch("t", batch)

    async def member(ident: int, stop_after: int, consumer: MemoryConsumer | None = None) -> None:
        consumer = consumer or broker.consumer(["t"], "g")
        apply = consumer.apply_assignment

        def forget_regained(removed: Any, added: dict[TopicPartition, Any]) -> None:
            for gained in added:  # a regained partition restarts at the committed offset
                last_offset.pop((ident, gained.partition), None)
            apply(removed, added)

        consumer.apply_assignment = forget_regained  # type: ignore[method-assign]
        pending: dict[TopicPartition, int] = {}
        polls = 0
        while len(seen) < total and polls < stop_after:
            records = await consumer.poll(rng.randint(1, 40), timeout=0.05)
            polls += 1
            for record in records:
                partition, offset = where(record)
                previous = last_offset.get((ident, partition))
                # While a member holds a partition, its offsets follow each other.
                assert previous is None or offset == previous + 1
                last_offset[(ident, partition)] = offset
                pending[tp("t", partition)] = offset + 1
                seen.add(record.value())
            if pending and rng.random() < 0.7:  # commits lag behind; leaving drops them
                await consumer.commit(pending)
                pending.clear()
        await consumer.close()

    idents = itertools.count(1)

    async def churn() -> None:
        while len(seen) < total:
            await member(next(idents), stop_after=rng.randint(3, 30))

    steady = broker.consumer(["t"], "g")  # attached before producing: retention must wait for it
    await asyncio.wait_for(
        asyncio.gather(produce(), churn(), churn(), member(0, 10**9, steady)), 10.0
    )
    assert seen == set(range(total))
    assert broker.topic_stats("t")["skipped"] == 0
