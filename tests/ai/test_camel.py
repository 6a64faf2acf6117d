"""camel-source: timer, file, http polling and kafka components; others are refused clearly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tornado.web import RequestHandler

from kernel_runtime.agents.errors import AgentConfigError

from .helpers import configure, start
from .servers import serve


async def read_until(agent, count: int, timeout: float = 30.0) -> list:
    records: list = []
    deadline = time.monotonic() + timeout
    while len(records) < count and time.monotonic() < deadline:
        records += await agent.read()
    return records


async def test_timer_fires_repeat_count_times() -> None:
    agent = await start(
        "camel-source",
        {"component-uri": "timer:tick?period=10&delay=0", "component-options": {"repeatCount": 3}},
    )
    records = await read_until(agent, 3)
    assert [dict(r.headers())["CamelTimerCounter"] for r in records] == [1, 2, 3]
    assert records[0].origin() == "timer:tick?period=10&delay=0"
    assert await agent.read() == []
    await agent.close()


async def test_file_reads_included_files_and_moves_them_when_committed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("alpha")
    (inbox / "b.txt").write_text("beta")
    (inbox / "skip.bin").write_bytes(b"x")
    agent = await start(
        "camel-source",
        {
            "component-uri": f"file:{inbox}?include=.*\\.txt",
            "key-header": "CamelFileName",
            "component-options": {"delay": 10},
        },
    )
    records = await read_until(agent, 2)
    assert [(r.key(), r.value()) for r in records] == [("a.txt", b"alpha"), ("b.txt", b"beta")]
    assert (inbox / "a.txt").exists()  # not before the commit
    for record in records:
        await agent.commit(record)
    assert sorted(p.name for p in (inbox / ".camel").iterdir()) == ["a.txt", "b.txt"]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == ["skip.bin"]
    await agent.close()
    deleting = await start(
        "camel-source",
        {
            "component-uri": f"file:{inbox}?delete=true&delay=10",
            "component-options": {"include": "skip.*"},
        },
    )
    [record] = await read_until(deleting, 1)
    await deleting.commit(record)
    assert not (inbox / "skip.bin").exists()
    await deleting.close()


class Feed(RequestHandler):
    def initialize(self, service) -> None:
        self.service = service

    def get(self) -> None:
        self.service.requests.append((self.request.path, {"q": self.get_argument("q", None)}))
        self.write(f"poll {len(self.service.requests)}")


async def test_http_polls_the_url() -> None:
    async with serve([("/feed", Feed)]) as server:
        uri = server.url + "/feed?q=news&delay=10"
        agent = await start("camel-source", {"component-uri": uri})
        records = await read_until(agent, 2)
        await agent.close()
    assert [r.value() for r in records[:2]] == ["poll 1", "poll 2"]
    assert server.requests[0] == ("/feed", {"q": "news"})  # `delay` is ours, not sent


async def test_kafka_reads_a_topic_and_commits(tansu) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=tansu.bootstrap_servers)
    await producer.start()
    try:
        for i in range(3):
            await producer.send_and_wait("camel-in", f"m{i}".encode(), key=f"k{i}".encode())
    finally:
        await producer.stop()
    uri = f"kafka:camel-in?brokers={tansu.bootstrap_servers}&autoOffsetReset=earliest&groupId=g1&sessionTimeoutMs=1000&heartbeatIntervalMs=200"
    agent = await start("camel-source", {"component-uri": uri, "key-header": "kafka.KEY"})
    try:
        records = await read_until(agent, 3, timeout=60)
        assert [(r.key(), r.value()) for r in records] == [
            (f"k{i}", f"m{i}".encode()) for i in range(3)
        ]
        for record in records[:2]:
            await agent.commit(record)
    finally:
        await agent.close()
    again = await start("camel-source", {"component-uri": uri, "key-header": "kafka.KEY"})
    try:  # the same group resumes after the last committed record
        [record] = await read_until(again, 1, timeout=60)
        assert record.key() == "k2"
    finally:
        await again.close()


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("jms:queue:orders", "'jms'.*LangStream cluster.*timer, file, http, https, kafka"),
        ("timer:", "no timer target"),
        ("kafka:topic", "brokers"),
        ("timer:t?period=soon", "integer"),
    ],
)
def test_unsupported_and_bad_uris(uri: str, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        configure("camel-source", {"component-uri": uri})
