"""Python agents written against LangStream's SDK run unchanged: processors, sources, sinks."""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict

import pytest

from tests.conftest import fast_options
from tests.kafka.fixtures import TYPED_VALUES


async def test_exclamation_processor_keeps_key_and_headers(start_app):
    runtime = await start_app("exclamation-processor")
    await runtime.send("input-topic", "hello", key="k1", headers=[("session", "s1")])
    await runtime.send("input-topic", "world", key="k2")

    out = await runtime.collect("output-topic", count=2, timeout=5)

    assert [(r.value(), r.key()) for r in out] == [("hello!!", "k1"), ("world!!", "k2")]
    assert out[0].headers() == [("session", "s1")]
    status = runtime.status()["exclamation"]
    assert status["state"] == "running"
    assert status["received"] == 2 and status["emitted"] == 2


async def test_source_records_are_written_then_committed(start_app):
    sys.modules.pop("example", None)  # a fresh CountingSource.committed for each broker kind
    runtime = await start_app("exclamation-source")
    out = await runtime.collect("output-topic", count=5, timeout=5)
    assert [(r.value(), r.key()) for r in out] == [(f"record {i}!", f"k{i}") for i in range(5)]
    for _ in range(100):
        committed = sys.modules["example"].CountingSource.committed
        if len(committed) == 5:
            break
        await asyncio.sleep(0.01)
    assert committed == [f"record {i}!" for i in range(5)]


async def test_sink_writes_every_record_sync_and_future_results(start_app, tmp_path):
    target = tmp_path / "sink.txt"
    instance = tmp_path / "instance.yaml"
    instance.write_text(f"instance:\n  globals:\n    output-file: {target}\n")
    runtime = await start_app("file-sink", instance=instance)
    for value in ["a", "b", "c", "d"]:
        await runtime.send("input-topic", value)
    for _ in range(200):
        if target.exists() and len(target.read_text().splitlines()) == 4:
            break
        await asyncio.sleep(0.01)
    assert target.read_text().splitlines() == ["a", "b", "c", "d"]
    for _ in range(100):
        if (
            sum(
                (await runtime.broker.committed("langstream-agent-to-file", "input-topic")).values()
            )
            == 4
        ):
            break
        await asyncio.sleep(0.01)
    assert (
        sum((await runtime.broker.committed("langstream-agent-to-file", "input-topic")).values())
        == 4
    )


@pytest.mark.memory_only(reason=TYPED_VALUES)
async def test_async_processor_keeps_order_per_key(start_app):
    runtime = await start_app("async-processor")
    sent = defaultdict(list)
    for i in range(60):
        key = f"user-{i % 4}"
        question = f"q{i:02d}-{key}"
        sent[key].append(question)
        await runtime.send("questions", question, key=key)

    out = await runtime.collect("answers", count=60, timeout=10)

    received = defaultdict(list)
    for record in out:
        assert record.headers() == [("answered-by", "async")]
        assert record.value()["answer"] == len(record.value()["question"])
        received[record.key()].append(record.value()["question"])
    assert received == sent


async def test_future_results_and_tuples(start_app):
    runtime = await start_app("future-processor")
    for value in ["x", "y"]:
        await runtime.send("in", value, key=value)
    out = await runtime.collect("out", count=2, timeout=5)
    assert [(r.value(), r.key()) for r in out] == [("X", "x"), ("Y", "y")]


@pytest.mark.memory_only(reason=TYPED_VALUES)
async def test_python_lib_is_importable_and_chain_runs_in_one_executor(start_app):
    runtime = await start_app("composed-chain")
    assert len(runtime.executors) == 1
    executor = next(iter(runtime.executors.values()))
    assert len(executor.plan.agents) == 3
    await runtime.send("raw", '{"text": "hi", "internal": 42}', key="a")

    out = await runtime.collect("clean", count=1, timeout=5)

    assert out[0].value() == {"text": "HI!"}
    for topic in executor.plan.internal_topics:  # fused agents pass records in memory
        assert sum((await runtime.broker.end_offsets(topic)).values()) == 0


async def test_stateful_counter_resumes_after_restart(start_app, tmp_path):
    options = fast_options(tmp_path / "state")
    first = await start_app("stateful-counter", options=options)
    for value in ["a", "b", "c"]:
        await first.send("input-topic", value)
    assert [r.value() for r in await first.collect("output-topic", count=3)] == [
        "a #1",
        "b #2",
        "c #3",
    ]
    await first.stop()
    counter_files = list((tmp_path / "state").rglob("counter.txt"))
    assert [p.read_text() for p in counter_files] == ["3"]

    second = await start_app("stateful-counter", options=options)
    await second.send("input-topic", "d")
    assert [r.value() for r in await second.collect("output-topic", count=1)] == ["d #4"]


@pytest.mark.memory_only(reason="on Kafka, creation-mode: none means the topic must exist already")
async def test_topics_with_creation_mode_none_exist_on_the_embedded_broker(start_app, tmp_path):
    app = tmp_path / "no-create"
    app.mkdir()
    (app / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n  - name: out\n    creation-mode: none\n"
        "pipeline:\n  - id: copy\n    type: identity\n    input: in\n    output: out\n"
    )
    runtime = await start_app(app)
    await runtime.send("in", "x")
    assert [r.value() for r in await runtime.collect("out", count=1)] == ["x"]
