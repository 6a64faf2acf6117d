"""compute-ai-embeddings: fields, loop-over, batching by batch-size / flush-interval / key."""

from __future__ import annotations

import asyncio
import json

import pytest

from kernel_runtime.agents.ai.batching import bucket_index
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.records import StreamRecord

from .helpers import Resource, configure, ollama_resource, openai_resource, start
from .servers import fake_embedding, ollama_server, openai_server


async def run(agent, records: list[StreamRecord]) -> list[StreamRecord]:
    """Hand every record over before waiting, as the runtime's batch stage does."""
    futures = [agent.process(record) for record in records]
    results = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
    return [out for outs in results for out in outs]


def doc(text: str, key: str | None = None) -> StreamRecord:
    return StreamRecord(json.dumps({"text": text}), key)


async def test_embeddings_field_is_set_from_the_template() -> None:
    config = {"model": "emb", "text": "{{ value.text }}", "embeddings-field": "value.vector"}
    async with openai_server() as server:
        agent = await start("compute-ai-embeddings", config, openai_resource(server.url))
        [out] = await run(agent, [doc("hello world")])
        await agent.close()
    assert json.loads(out.value())["vector"] == pytest.approx(fake_embedding("hello world"))
    assert server.bodies("/v1/embeddings")[0]["model"] == "emb"


async def test_flush_interval_zero_sends_one_text_per_request() -> None:
    config = {"text": "{{ value.text }}", "embeddings-field": "value.v", "batch-size": 10}
    async with openai_server() as server:
        agent = await start("compute-ai-embeddings", config, openai_resource(server.url))
        outs = await run(agent, [doc(f"t{i}") for i in range(5)])
        await agent.close()
    assert [len(body["input"]) for body in server.bodies("/v1/embeddings")] == [1] * 5
    assert [json.loads(o.value())["text"] for o in outs] == [f"t{i}" for i in range(5)]


async def test_batches_fill_up_then_the_interval_flushes_the_rest() -> None:
    config = {
        "text": "{{ value.text }}",
        "embeddings-field": "value.v",
        "batch-size": 10,
        "flush-interval": 100,
        "concurrency": 1,
    }
    async with openai_server() as server:
        agent = await start("compute-ai-embeddings", config, openai_resource(server.url))
        outs = await run(agent, [doc(f"text {i}") for i in range(25)])
        await agent.close()
    assert [len(body["input"]) for body in server.bodies("/v1/embeddings")] == [10, 10, 5]
    for i, out in enumerate(outs):
        value = json.loads(out.value())
        assert value["v"] == pytest.approx(fake_embedding(f"text {i}"))


async def test_concurrency_buckets_keep_a_keys_records_together() -> None:
    config = {
        "text": "{{ value.text }}",
        "embeddings-field": "value.v",
        "batch-size": 3,
        "flush-interval": 50,
        "concurrency": 2,
    }
    first = "a"
    second = next(k for k in "bcdefgh" if bucket_index(k, 2) != bucket_index(first, 2))
    records = [doc(f"{key}-{i}", key) for i in range(3) for key in (first, second)]
    async with openai_server() as server:
        agent = await start("compute-ai-embeddings", config, openai_resource(server.url))
        await run(agent, records)
        await agent.close()
    batches = [body["input"] for body in server.bodies("/v1/embeddings")]
    assert sorted(batches) == [[f"{k}-{i}" for i in range(3)] for k in (first, second)]


async def test_loop_over_embeds_each_item() -> None:
    config = {
        "text": "{{ record.text }}",
        "loop-over": "value.documents",
        "embeddings-field": "record.embeddings",
    }
    record = StreamRecord(json.dumps({"documents": [{"text": "one"}, {"text": "two"}]}))
    async with ollama_server() as server:
        agent = await start(
            "compute-ai-embeddings", {**config, "model": "nomic"}, ollama_resource(server.url)
        )
        [out] = await run(agent, [record])
        await agent.close()
    documents = json.loads(out.value())["documents"]
    assert [d["embeddings"] for d in documents] == [
        pytest.approx(fake_embedding(t)) for t in ("one", "two")
    ]
    assert [b["prompt"] for b in server.bodies("/api/embeddings")] == ["one", "two"]


async def test_provider_error_fails_the_records_of_the_batch() -> None:
    config = {"model": "missing", "text": "{{ value.text }}", "embeddings-field": "value.v"}
    async with ollama_server() as server:
        agent = await start("compute-ai-embeddings", config, ollama_resource(server.url))
        with pytest.raises(RuntimeError, match="not found"):
            await run(agent, [doc("x")])
        await agent.close()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"embeddings-field": "value.v"}, "'text' is required"),
        ({"text": "{{ value.text }}"}, "'embeddings-field' is required"),
        ({"text": "x", "embeddings-field": "value.v", "batch-size": 0}, "at least 1"),
        ({"text": "x", "embeddings-field": "value.v", "flush-interval": "soon"}, "integer"),
        ({"text": "x", "embeddings-field": "value.v", "loop-over": "value.docs"}, "record.<name>"),
        ({"text": "{{#x}}", "embeddings-field": "value.v"}, "Mustache"),
    ],
)
def test_bad_configuration(config: dict, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message):
        configure("compute-ai-embeddings", config, openai_resource("http://127.0.0.1:1/v1"))


def test_unknown_local_model_and_unsupported_api_are_explained() -> None:
    local = {"hf": Resource("hugging-face-configuration", {"provider": "local"})}
    with pytest.raises(AgentConfigError, match="all-MiniLM-L6-v2"):
        configure(
            "compute-ai-embeddings",
            {"text": "x", "embeddings-field": "value.v", "model": "e5"},
            local,
        )
    api = {"hf": Resource("hugging-face-configuration", {"provider": "api", "access-key": "k"})}
    with pytest.raises(AgentConfigError, match="LangStream cluster"):
        configure("compute-ai-embeddings", {"text": "x", "embeddings-field": "value.v"}, api)
