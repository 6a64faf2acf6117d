"""Records cross between plain aiokafka clients and our agents byte for byte, keys and headers too.

What a LangStream cluster writes is what a plain Kafka client writes; so reading what a plain
producer wrote, and writing what a plain consumer reads as LangStream's bytes, is the contract.
"""

from __future__ import annotations

import json
import struct

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


@pytest.fixture
async def kafka(make_broker):
    return await make_broker("kafka")


def servers(broker) -> str:
    return ",".join(broker.settings.bootstrap_servers)


async def produce_plain(broker, topic: str, messages: list[tuple]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers(broker))
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def consume_plain(broker, topic: str, count: int) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=servers(broker), auto_offset_reset="earliest"
    )
    await consumer.start()
    got: list = []
    try:
        for _ in range(100):
            for messages in (await consumer.getmany(timeout_ms=200)).values():
                got += messages
            if len(got) >= count:
                break
    finally:
        await consumer.stop()
    return got


def identity_app(tmp_path):
    app = tmp_path / "identity"
    app.mkdir()
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: create-if-not-exists\n"
        "  - name: out\n    creation-mode: create-if-not-exists\n"
        "pipeline:\n  - id: copy\n    type: identity\n    input: in\n    output: out\n"
    )
    return app


async def test_plain_records_pass_an_agent_byte_for_byte(start_app, kafka, tmp_path):
    await start_app(identity_app(tmp_path), broker=kafka)
    sent = [
        (b"k1", b"hello", [("h1", b"x"), ("bin", b"\x00\xff")]),
        (None, b"\xff\xfe not utf-8", [("dup", b"1"), ("dup", b"2")]),
        (b"\x00key", "héllo".encode(), []),
        (b"k-null", None, [("empty", b"")]),
    ]
    await produce_plain(kafka, "in", sent)

    got = await consume_plain(kafka, "out", len(sent))

    assert [(m.key, m.value, list(m.headers)) for m in got] == sent


async def test_plain_records_are_read_as_langstream_reads_them(start_app, kafka):
    runtime = await start_app("exclamation-processor", broker=kafka)
    await produce_plain(kafka, "input-topic", [(b"k1", b"hello", [("session", b"s1")])])

    (message,) = await consume_plain(kafka, "output-topic", 1)

    assert (message.key, message.value, list(message.headers)) == (
        b"k1",
        b"hello!!",
        [("session", b"s1")],
    )
    (record,) = await runtime.collect("output-topic", count=1)
    assert (record.value(), record.key(), record.headers()) == (
        "hello!!",
        "k1",
        [("session", "s1")],
    )


TYPED_AGENT = """
from langstream import Processor, SimpleRecord

VALUES = {"str": "text", "bytes": b"\\x00\\x01", "int": 5, "neg": -2, "float": 1.5,
          "bool": True, "dict": {"a": [1, "x"]}, "list": [1, 2]}


class Typed(Processor):
    def process(self, record):
        name = record.value()
        value = VALUES[name]
        return [SimpleRecord(value, key=value, headers=[("typed", value)])]
"""


async def test_typed_values_from_an_agent_are_written_as_langstream_writes_them(
    start_app, kafka, tmp_path
):
    app = tmp_path / "typed"
    (app / "python").mkdir(parents=True)
    (app / "python" / "typed_agent.py").write_text(TYPED_AGENT)
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: create-if-not-exists\n"
        "  - name: out\n    creation-mode: create-if-not-exists\n"
        "pipeline:\n  - id: typed\n    type: python-processor\n    input: in\n    output: out\n"
        "    configuration:\n      className: typed_agent.Typed\n"
    )
    runtime = await start_app(app, broker=kafka)
    expected = {
        "str": b"text",
        "bytes": b"\x00\x01",
        "int": struct.pack(">q", 5),
        "neg": struct.pack(">q", -2),
        "float": struct.pack(">d", 1.5),
        "bool": b"\x01",
        "dict": json.dumps({"a": [1, "x"]}).encode(),
        "list": b"[1, 2]",
    }
    for name in expected:
        await runtime.send("in", name)

    got = await consume_plain(kafka, "out", len(expected))

    assert [(m.value, m.key, list(m.headers)) for m in got] == [
        (raw, raw, [("typed", raw)]) for raw in expected.values()
    ]
