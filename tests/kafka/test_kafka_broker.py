"""KafkaBroker keeps the `base.Broker` contract on a real Kafka-protocol broker (tansu)."""

from __future__ import annotations

import asyncio

import pytest

from kernel_runtime.brokers.base import TopicPartition, TopicSpec, UnknownTopicError
from kernel_runtime.brokers.kafka_producer import partition_for
from kernel_runtime.records import StreamRecord


@pytest.fixture
async def kafka(make_broker):
    return await make_broker("kafka")


async def poll_until(consumer, count: int, timeout: float = 15.0) -> list[StreamRecord]:
    records: list[StreamRecord] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(records) < count and asyncio.get_running_loop().time() < deadline:
        records += await consumer.poll(count - len(records), 0.2)
    return records


async def test_topics_are_created_once_listed_and_deleted(kafka):
    spec = TopicSpec("orders", partitions=3, config={"retention.ms": 60000})
    await kafka.create_topic(spec)
    await kafka.create_topic(spec)  # exists already: no error, as LangStream
    assert await kafka.topic_exists("orders")
    assert set(await kafka.end_offsets("orders")) == {0, 1, 2}
    await kafka.delete_topic("orders")
    await kafka.delete_topic("orders")  # unknown now: no error
    assert not await kafka.topic_exists("orders")


async def test_a_topic_that_must_exist_but_does_not_is_refused(kafka):
    with pytest.raises(UnknownTopicError, match="'missing' does not exist"):
        await kafka.create_topic(TopicSpec("missing", creation_mode="none"))
    with pytest.raises(UnknownTopicError):
        await kafka.consumer(["missing"], None).poll(1, 0.1)


async def test_keyed_records_keep_partition_and_order_with_positions_set(kafka):
    await kafka.create_topic(TopicSpec("t", partitions=4))
    sent = [
        StreamRecord(f"v{i}", f"k{i % 7}", [("n", str(i))], timestamp=1_700_000_000_000 + i)
        for i in range(200)
    ]
    await kafka.producer().send_batch("t", sent)

    reader = kafka.consumer(["t"], None)
    got = await poll_until(reader, 200)
    await reader.close()

    assert sorted(r.value() for r in got) == sorted(r.value() for r in sent)
    for record in got:
        assert record.topic == record.origin() == "t"
        assert record.partition == partition_for(record.key().encode(), 4)  # as Java's client
        assert record.timestamp() == 1_700_000_000_000 + int(record.header("n"))
    for partition in range(4):
        mine = [r for r in got if r.partition == partition]
        assert [r.offset for r in mine] == list(range(len(mine)))
        assert [int(r.header("n")) for r in mine] == sorted(int(r.header("n")) for r in mine)


async def test_end_offsets_count_every_record_of_a_batch(kafka):
    await kafka.create_topic(TopicSpec("t"))
    await kafka.producer().send_batch("t", [StreamRecord(str(i)) for i in range(100)])
    await kafka.producer().send_batch("t", [StreamRecord(str(i)) for i in range(50)])
    assert await kafka.end_offsets("t") == {0: 150}


async def test_commits_are_next_offsets_and_a_new_member_resumes_there(kafka):
    await kafka.create_topic(TopicSpec("t", partitions=2))
    await kafka.producer().send_batch("t", [StreamRecord(f"v{i}", f"k{i}") for i in range(40)])
    first = kafka.consumer(["t"], "g")
    got = await poll_until(first, 40)
    done = {}
    for record in got[:25]:
        done[TopicPartition("t", record.partition)] = record.offset + 1
    await first.commit(done)
    await first.close()
    assert await kafka.committed("g", "t") == {tp.partition: o for tp, o in done.items()}

    second = kafka.consumer(["t"], "g")
    rest = await poll_until(second, 40 - 25)
    await second.close()
    assert sorted(r.value() for r in got[25:]) == sorted(r.value() for r in rest)


async def test_seek_and_latest_position_for_readers(kafka):
    await kafka.create_topic(TopicSpec("t"))
    await kafka.producer().send_batch("t", [StreamRecord(f"old{i}") for i in range(5)])
    seeking = kafka.consumer(["t"], None)
    seeking.seek(TopicPartition("t", 0), 3)
    assert [r.value() for r in await poll_until(seeking, 2)] == ["old3", "old4"]
    await seeking.close()

    latest = kafka.consumer(["t"], None, position="latest")
    assert await latest.poll(10, 0.3) == []
    await kafka.producer().send("t", StreamRecord("new"))
    assert [r.value() for r in await poll_until(latest, 1)] == ["new"]
    await latest.close()


async def test_commits_for_partitions_not_owned_are_dropped(kafka):
    await kafka.create_topic(TopicSpec("t"))
    await kafka.producer().send("t", StreamRecord("x"))
    member = kafka.consumer(["t"], "g")
    await poll_until(member, 1)
    await member.commit({TopicPartition("other", 0): 5, TopicPartition("t", 0): 1})
    assert await kafka.committed("g", "t") == {0: 1}
    await member.close()


async def test_topic_options_reach_the_consumers_of_that_topic(kafka):
    await kafka.create_topic(TopicSpec("tuned", options={"consumer.max.poll.records": 2}))
    await kafka.create_topic(TopicSpec("plain"))
    records = [StreamRecord(f"v{i}") for i in range(5)]
    await kafka.producer().send_batch("tuned", records)
    await kafka.producer().send_batch("plain", records)

    tuned, plain = kafka.consumer(["tuned"], None), kafka.consumer(["plain"], None)
    assert len(await tuned.poll(100, 5.0)) == 2  # consumer.max.poll.records caps every poll
    assert len(await poll_until(plain, 5)) == 5
    await tuned.close()
    await plain.close()


async def test_a_topic_can_name_its_consumer_group_as_in_langstream(kafka):
    await kafka.create_topic(TopicSpec("t", options={"consumer.group.id": "chosen"}))
    await kafka.producer().send("t", StreamRecord("x"))
    member = kafka.consumer(["t"], "langstream-agent-a")
    (record,) = await poll_until(member, 1)
    await member.commit({TopicPartition("t", 0): record.offset + 1})
    assert member.group_id == "chosen"
    assert await kafka.committed("chosen", "t") == {0: 1}
    await member.close()
