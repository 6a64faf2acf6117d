"""The question-answering application (tests/ai/apps/rag) end to end on the embedded broker:
documents -> extract -> split -> embed -> DuckDB; question -> embed -> search -> re-rank ->
chat completion streamed to `answers`. The OpenAI protocol is served on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from kernel_runtime.agents.ai.datasources import close_databases, open_database
from kernel_runtime.agents.ai.resources import ResourceRef
from kernel_runtime.manifest import load_application

from .servers import ANSWER_PREFIX, openai_server

APP = Path(__file__).parent / "apps" / "rag"
DOCUMENTS = {
    "kafka.txt": "Kafka stores streams of records in topics. Topics are split into partitions.",
    "cooking.txt": "To bake bread, mix flour, water, salt and yeast, then let the dough rise.",
    "langstream.txt": "LangStream runs AI pipelines of agents that read and write Kafka topics.",
}


def write_secrets(folder: Path, openai_url: str, store: Path) -> Path:
    path = folder / "secrets.yaml"
    path.write_text(
        "secrets:\n"
        "  - id: open-ai\n"
        f"    data: {{url: '{openai_url}', access-key: test-key}}\n"
        "  - id: vector-store\n"
        f"    data: {{url: 'jdbc:duckdb:{store}'}}\n"
    )
    return path


async def wait_for_rows(store: Path, count: int, timeout: float = 60.0) -> None:
    database = open_database(
        ResourceRef("s", "datasource", {"service": "jdbc", "url": f"jdbc:duckdb:{store}"})
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = database.fetch("SELECT count(*) AS n FROM documents", [])
        if rows[0]["n"] >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {rows[0]['n']} of {count} chunks were stored in {timeout}s")


def test_rag_app_validates() -> None:
    app = load_application(APP)
    assert {a.type for a in app.agents()} >= {
        "compute-ai-embeddings",
        "query-vector-db",
        "re-rank",
        "ai-chat-completions",
        "vector-db-sink",
    }


async def test_documents_in_answers_out(start_app, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    try:
        async with openai_server() as server:
            secrets = write_secrets(tmp_path, server.url, store)
            runtime = await start_app(APP, secrets=secrets)
            for name, text in DOCUMENTS.items():
                await runtime.send("documents", text.encode(), key=name, headers={"name": name})
            await wait_for_rows(store, len(DOCUMENTS))
            question = "What are Kafka topics split into?"
            await runtime.send(
                "questions", question, headers={"langstream-client-session-id": "s1"}
            )
            [logged] = await runtime.collect("log", count=1, timeout=60)
            answers = await runtime.collect("answers", count=100, timeout=2)
    finally:
        close_databases()
    value = json.loads(logged.value())
    assert value["answer"] == ANSWER_PREFIX + question
    prompt = json.loads(value["prompt"])["messages"][0]["content"]
    assert DOCUMENTS["kafka.txt"] in prompt  # the nearest documents were retrieved...
    assert prompt.count("\n- ") == 2  # ...and re-ranking kept `max: 2`
    assert "question_embeddings" not in value and "related_documents" not in value
    assert "".join(a.value() for a in answers) == value["answer"]
    assert dict(answers[-1].headers())["stream-last-message"] == "true"
    assert all(dict(a.headers())["langstream-client-session-id"] == "s1" for a in answers)
    embedded = [b["input"] for b in server.bodies("/v1/embeddings")]
    assert sum(len(batch) for batch in embedded) == len(DOCUMENTS) + 1
