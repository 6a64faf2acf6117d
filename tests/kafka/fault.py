"""The fault run: a 3-step pipeline on Kafka whose runtime process is SIGKILLed and restarted.

Used by tests/kafka/test_fault.py (a bounded count) and benchmarks/kafka_fault.py (100,000).
The input is written first; then `python -m kernel_runtime run` (a real process, as in a pod)
works through it and is killed with SIGKILL at random points, `kills` times, each time restarted;
the last run is left to finish. A reader follows the output topic the whole time. At-least-once
means every input shows up in the output; duplicates are allowed, and counted.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kernel_runtime.brokers.base import TopicSpec
from kernel_runtime.brokers.kafka import KafkaBroker
from kernel_runtime.records import StreamRecord

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
STEP = """
from langstream import Processor, SimpleRecord


class Mark(Processor):
    def init(self, config):
        self.mark = config["mark"]

    def process(self, record):
        return [SimpleRecord(record.value() + self.mark, key=record.key())]
"""


@dataclass
class FaultReport:
    records: int
    kills: int
    outputs: int = 0
    duplicates: int = 0
    missing: list[str] = field(default_factory=list)
    kill_points: list[int] = field(default_factory=list)  # outputs seen at each kill
    seconds: float = 0.0


def write_app(folder: Path, partitions: int = 2) -> Path:
    """in -> a -> t1 -> b -> t2 -> c -> out: three executors, three Kafka hops."""
    (folder / "python").mkdir(parents=True, exist_ok=True)
    (folder / "python" / "steps.py").write_text(STEP)
    steps = "".join(
        f"  - id: step-{mark}\n    type: python-processor\n    input: {source}\n"
        f"    output: {target}\n    configuration:\n      className: steps.Mark\n"
        f"      mark: '|{mark}'\n"
        for source, target, mark in [("in", "t1", "a"), ("t1", "t2", "b"), ("t2", "out", "c")]
    )
    topics = "".join(
        f"  - name: {name}\n    creation-mode: create-if-not-exists\n    partitions: {partitions}\n"
        for name in ("in", "t1", "t2", "out")
    )
    (folder / "pipeline.yaml").write_text(f"topics:\n{topics}pipeline:\n{steps}")
    return folder


def write_instance(path: Path, servers: str) -> Path:
    """Short group timeouts (Java names, as in any LangStream instance.yaml): a killed process's
    members are evicted after ~1 s instead of aiokafka's default 10 s."""
    path.write_text(
        "instance:\n  streamingCluster:\n    type: kafka\n    configuration:\n      admin:\n"
        f"        bootstrap.servers: {servers}\n"
        "        session.timeout.ms: 1000\n        heartbeat.interval.ms: 200\n"
    )
    return path


class OutputFollower:
    """Reads the output topic from the start, the whole time, counting each value."""

    def __init__(self, broker: KafkaBroker) -> None:
        self.seen: Counter[str] = Counter()
        self.total = 0
        self._consumer = broker.consumer(["out"], None)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for record in await self._consumer.poll(5000, 0.2):
                self.seen[record.value()] += 1
                self.total += 1
        await self._consumer.close()


async def _start_runtime(app: Path, instance: Path, log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kernel_runtime",
        "run",
        str(app),
        "-i",
        str(instance),
        "--state-dir",
        str(app.parent / "state"),
        cwd=PROJECT_ROOT,
        stdout=open(log, "ab"),  # noqa: SIM115 - the child owns it; closed when it exits
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def fault_run(
    servers: str,
    workdir: Path,
    *,
    records: int,
    kills: int = 3,
    seed: int | None = None,
    timeout: float = 150.0,
) -> FaultReport:
    """Run it; returns what came out. Raises TimeoutError if the pipeline stalls."""
    rng = random.Random(seed)
    app = write_app(workdir / "fault-app")
    instance = write_instance(workdir / "instance.yaml", servers)
    log = workdir / "runtime.log"
    broker = KafkaBroker(servers, connect_timeout=20)
    await broker.start()
    report = FaultReport(records, kills)
    started = time.monotonic()
    for name in ("in", "t1", "t2", "out"):
        await broker.create_topic(TopicSpec(name, partitions=2))
    producer = broker.producer()
    for start in range(0, records, 5000):
        batch = [
            StreamRecord(f"r{i}", f"k{i % 97}") for i in range(start, min(records, start + 5000))
        ]
        await producer.send_batch("in", batch)
    follower = OutputFollower(broker)
    stop = asyncio.Event()
    reading = asyncio.create_task(follower.run(stop))
    process = None
    try:
        deadline = time.monotonic() + timeout
        for kill in range(kills + 1):
            process = await _start_runtime(app, instance, log)
            if kill == kills:  # the last run is left to finish
                while len(follower.seen) < records:
                    await _tick(process, deadline, log)
                break
            # a random point of this run: after it moved the output on by 5-30% of the input
            point = min(records - 1, len(follower.seen) + int(rng.uniform(0.05, 0.3) * records))
            while len(follower.seen) < point:
                await _tick(process, deadline, log)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            report.kill_points.append(len(follower.seen))
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        stop.set()
        await reading
        await broker.close()
    report.seconds = time.monotonic() - started
    report.outputs = follower.total
    report.duplicates = follower.total - len(follower.seen)
    expected = {f"r{i}|a|b|c" for i in range(records)}
    report.missing = sorted(expected - set(follower.seen))[:20]
    return report


async def _tick(process: asyncio.subprocess.Process, deadline: float, log: Path) -> None:
    if process.returncode is not None:
        raise RuntimeError(
            f"the runtime exited with {process.returncode}:\n{log.read_text()[-3000:]}"
        )
    if time.monotonic() > deadline:
        raise TimeoutError(f"the pipeline stalled; runtime log:\n{log.read_text()[-3000:]}")
    await asyncio.sleep(0.05)
