"""Records/s of a one-processor pipeline on the embedded broker, against a bare Python loop.

Both measure the same user class (`Identity.process` returning `[record]`) over the same
records in the same process. The pipeline path includes everything the runtime does with
at-least-once on: poll, the thread hand-off, process, produce (acknowledged), commit.

    python benchmarks/throughput.py [--records 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from kernel_runtime.headless import load_for_run
from kernel_runtime.records import StreamRecord
from kernel_runtime.runtime import ApplicationRuntime

APP_DIR = Path(__file__).parent / "apps" / "identity"


def bare_loop(records: list[StreamRecord]) -> float:
    sys.path.insert(0, str(APP_DIR / "python"))
    from bench import Identity

    processor = Identity()
    started = time.perf_counter()
    outputs = []
    for record in records:
        outputs.extend(processor.process(record))
    elapsed = time.perf_counter() - started
    assert len(outputs) == len(records)
    return len(records) / elapsed


async def wait_for(runtime: ApplicationRuntime, topic: str, group: str, count: int) -> None:
    while True:
        committed = sum((await runtime.broker.committed(group, topic)).values())
        if committed >= count:
            return
        await asyncio.sleep(0.002)


async def pipeline_prefilled(records: list[StreamRecord]) -> float:
    """Input already in the topic; time from start until every input is committed."""
    runtime = ApplicationRuntime(load_for_run(APP_DIR))
    await runtime.broker.start()
    await runtime.create_topics()
    await runtime.broker.producer().send_batch("bench-input", records)
    started = time.perf_counter()
    await runtime.start()
    await wait_for(runtime, "bench-input", "langstream-agent-identity", len(records))
    elapsed = time.perf_counter() - started
    out = sum((await runtime.broker.end_offsets("bench-output")).values())
    await runtime.stop()
    assert out >= len(records), out
    return len(records) / elapsed


async def pipeline_streaming(records: list[StreamRecord], batch: int = 500) -> float:
    """A producer writes while the pipeline runs; time until every input is committed."""
    runtime = ApplicationRuntime(load_for_run(APP_DIR))
    await runtime.start()
    producer = runtime.broker.producer()
    started = time.perf_counter()
    for start in range(0, len(records), batch):
        await producer.send_batch("bench-input", records[start : start + batch])
        await asyncio.sleep(0)
    await wait_for(runtime, "bench-input", "langstream-agent-identity", len(records))
    elapsed = time.perf_counter() - started
    await runtime.stop()
    return len(records) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    records = [StreamRecord(f"value-{i}", f"key-{i % 100}") for i in range(args.records)]
    baseline = bare_loop(records)
    prefilled = asyncio.run(pipeline_prefilled(records))
    streaming = asyncio.run(pipeline_streaming(records))
    os.environ["LS_WORKBENCH_GC_TUNING"] = "0"  # the same runs with CPython's default collector
    prefilled_default_gc = asyncio.run(pipeline_prefilled(records))
    streaming_default_gc = asyncio.run(pipeline_streaming(records))
    del os.environ["LS_WORKBENCH_GC_TUNING"]
    print(f"records: {args.records}")
    print(f"bare loop (process only)         : {baseline:12,.0f} records/s")
    print(
        f"pipeline, input pre-filled       : {prefilled:12,.0f} records/s  ratio {prefilled / baseline:.3f}"
    )
    print(
        f"pipeline, producer running beside: {streaming:12,.0f} records/s  ratio {streaming / baseline:.3f}"
    )
    print("with CPython's default collector thresholds (LS_WORKBENCH_GC_TUNING=0):")
    print(
        f"  pipeline, input pre-filled     : {prefilled_default_gc:12,.0f} records/s  "
        f"tuned/default {prefilled / prefilled_default_gc:.2f}"
    )
    print(
        f"  pipeline, producer beside      : {streaming_default_gc:12,.0f} records/s  "
        f"tuned/default {streaming / streaming_default_gc:.2f}"
    )


if __name__ == "__main__":
    main()
