"""At-least-once: stops, restarts and parallel replicas lose no record."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from tests.conftest import fast_options
from tests.kafka.fixtures import wait_for_group


async def test_stop_and_restart_mid_stream_loses_nothing(start_app, tmp_path, broker):
    options = fast_options(tmp_path / "state", batch_size=7)
    total = 500
    first = await start_app("exclamation-processor", broker=broker, options=options)
    for i in range(total):
        await first.send("input-topic", f"m{i}", key=f"k{i % 5}")
        if i == 250:
            await first.stop()  # stops mid-stream, after its batch in flight is committed
            await start_app("exclamation-processor", broker=broker, options=options)

    out = await first.collect("output-topic", count=total, timeout=10)

    values = [r.value() for r in out]
    assert set(values) == {f"m{i}!!" for i in range(total)}


async def test_parallel_replicas_share_partitions_exactly_once_when_healthy(start_app, tmp_path):
    app = tmp_path / "parallel"
    (app / "python").mkdir(parents=True)
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: create-if-not-exists\n    partitions: 4\n"
        "  - name: out\n    creation-mode: create-if-not-exists\n"
        "pipeline:\n  - id: tag\n    type: python-processor\n    input: in\n    output: out\n"
        "    resources:\n      parallelism: 2\n"
        "    configuration:\n      className: replica.Tag\n"
    )
    (app / "python" / "replica.py").write_text(
        "from langstream import Processor, SimpleRecord\n"
        "class Tag(Processor):\n"
        "    def process(self, record):\n"
        "        return [SimpleRecord(record.value(), key=record.key(),"
        " headers=[('replica', str(id(self)))])]\n"
    )
    runtime = await start_app(app)
    assert len(runtime.executors["tag"].replicas) == 2
    await wait_for_group(runtime.broker, "langstream-agent-tag", members=2)
    for i in range(200):
        await runtime.send("in", str(i), key=f"key-{i % 16}")

    out = await runtime.collect("out", count=200, timeout=10)

    assert sorted(int(r.value()) for r in out) == list(range(200))
    assert len({r.header("replica") for r in out}) == 2


async def test_python_service_serves_until_stopped(start_app):
    runtime = await start_app("python-service")
    service = runtime.executors["hello-service"].replicas[0].instances[0]

    def get() -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{service.port}/ping", timeout=5) as reply:
            return json.loads(reply.read())

    assert await asyncio.to_thread(get) == {"hello": "/ping"}
    await runtime.stop()
    assert service.stopped.is_set()
