"""Records/s of the embedded broker alone: produce, consume, and produce+consume+commit.

Prints figures only (no assertions), for small keyed records (a short str, or a 2-key dict)
on 1 and 4 partitions; "produce+consume+commit" runs a producer and a committing group member
side by side on one loop. The input records are frozen out of the cyclic GC first, since they
belong to the harness, not to the broker.

    python benchmarks/broker.py [--records 200000] [--batch 500]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Callable

from kernel_runtime.brokers.base import TopicPartition, TopicSpec
from kernel_runtime.brokers.memory import MemoryBroker
from kernel_runtime.records import StreamRecord


def make_records(count: int, kind: str) -> list[StreamRecord]:
    if kind == "str":
        return [StreamRecord(f"value-{i}", f"key-{i % 100}") for i in range(count)]
    return [StreamRecord({"id": i, "text": f"value-{i}"}, f"key-{i % 100}") for i in range(count)]


async def produce(broker: MemoryBroker, records: list[StreamRecord], batch: int) -> None:
    producer = broker.producer()
    for start in range(0, len(records), batch):
        await producer.send_batch("bench", records[start : start + batch])


async def consume(broker: MemoryBroker, total: int, batch: int, commit: bool) -> None:
    consumer = broker.consumer(["bench"], "bench-group")
    seen = 0
    while seen < total:
        records = await consumer.poll(batch, timeout=1.0)
        if not records:
            raise RuntimeError(f"stalled after {seen} records")
        seen += len(records)
        if commit:
            last: dict[int, int] = {}
            for record in records:
                last[record.partition] = record.offset  # type: ignore[index, assignment]
            await consumer.commit({TopicPartition("bench", p): o + 1 for p, o in last.items()})
    await consumer.close()


async def run(partitions: int, records: list[StreamRecord], batch: int) -> dict[str, float]:
    count = len(records)
    timings: dict[str, float] = {}

    async def fresh() -> MemoryBroker:
        broker = MemoryBroker()
        await broker.create_topic(TopicSpec("bench", partitions=partitions))
        return broker

    broker = await fresh()
    started = time.perf_counter()
    await produce(broker, records, batch)
    timings["produce"] = count / (time.perf_counter() - started)

    started = time.perf_counter()
    await consume(broker, count, batch, commit=False)
    timings["consume"] = count / (time.perf_counter() - started)
    await broker.close()

    broker = await fresh()
    started = time.perf_counter()
    await asyncio.gather(produce(broker, records, batch), consume(broker, count, batch, True))
    timings["produce+consume+commit"] = count / (time.perf_counter() - started)
    await broker.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    print(f"{args.records:,} records, batches of {args.batch}, keyed (100 keys)")
    shapes: list[tuple[str, Callable[[], list[StreamRecord]]]] = [
        ("str value", lambda: make_records(args.records, "str")),
        ("dict value", lambda: make_records(args.records, "dict")),
    ]
    for label, build in shapes:
        records = build()
        # The 200k input records are the harness's, not the broker's: keep the cyclic GC from
        # rescanning them during the timed phases.
        gc.collect()
        gc.freeze()
        for partitions in (1, 4):
            timings = asyncio.run(run(partitions, records, args.batch))
            figures = "  ".join(f"{name} {rate:>10,.0f}/s" for name, rate in timings.items())
            print(f"{label:<10} {partitions} partition(s): {figures}")
        del records
        gc.unfreeze()


if __name__ == "__main__":
    main()
