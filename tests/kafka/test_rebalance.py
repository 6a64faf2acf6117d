"""Members joining and leaving a consumer group mid-stream lose no record (duplicates counted)."""

from __future__ import annotations

import asyncio
from collections import Counter

from kernel_runtime.manifest import load_application
from kernel_runtime.records import StreamRecord
from kernel_runtime.runtime import ApplicationRuntime
from tests.conftest import fast_options
from tests.kafka.fixtures import kafka_broker

AGENT = """
from langstream import Processor, SimpleRecord


class Tag(Processor):
    def process(self, record):
        return [SimpleRecord(record.value() + "!", key=record.key())]
"""


def tagging_app(tmp_path, parallelism: int):
    app = tmp_path / f"tagging-{parallelism}"
    (app / "python").mkdir(parents=True)
    (app / "python" / "tagging.py").write_text(AGENT)
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    creation-mode: create-if-not-exists\n    partitions: 4\n"
        "  - name: out\n    creation-mode: create-if-not-exists\n"
        "pipeline:\n  - id: tag\n    type: python-processor\n    input: in\n    output: out\n"
        f"    resources:\n      parallelism: {parallelism}\n"
        "    configuration:\n      className: tagging.Tag\n"
    )
    return load_application(app).resolved()


async def test_members_join_and_leave_mid_stream_and_nothing_is_lost(tansu, tmp_path):
    """Two "pods" (runtimes with their own clients) share the group, as LangStream replicas do."""
    brokers = [kafka_broker(tansu.bootstrap_servers) for _ in range(3)]
    for broker in brokers:
        await broker.start()
    feeder, first_pod, second_pod = brokers
    options = fast_options(tmp_path / "state", batch_size=50)
    first = ApplicationRuntime(tagging_app(tmp_path, 2), first_pod, options)  # 2 members
    second = ApplicationRuntime(tagging_app(tmp_path, 1), second_pod, options)
    total = 3000
    producer = feeder.producer()
    try:
        await first.start()
        for start in range(0, total, 20):
            batch = [StreamRecord(f"m{i}", f"k{i % 40}") for i in range(start, start + 20)]
            await producer.send_batch("in", batch)
            if start == 1000:
                await second.start()  # a third member joins: partitions move
            if start == 2000:
                await first.stop()  # two members leave: the third takes every partition
            await asyncio.sleep(0.005)  # let the pipeline run while we feed
        for _ in range(1200):  # every input committed: every output acknowledged before it
            if sum((await feeder.committed("langstream-agent-tag", "in")).values()) >= total:
                break
            await asyncio.sleep(0.05)
        written = sum((await feeder.end_offsets("out")).values())
        out = await second.collect("out", count=written, timeout=30)
    finally:
        await second.stop()
        await first.stop()
        for broker in brokers:
            await broker.close()

    seen = Counter(record.value() for record in out)
    missing = [f"m{i}!" for i in range(total) if f"m{i}!" not in seen]
    duplicates = sum(seen.values()) - len(seen)
    print(f"\nrebalance: {total} inputs, {len(out)} outputs, {duplicates} duplicates")
    assert missing == []
    assert set(seen) == {f"m{i}!" for i in range(total)}
