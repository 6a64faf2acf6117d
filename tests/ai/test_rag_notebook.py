"""notebooks/rag.ipynb runs top to bottom in a real kernel, with the local embedding model and
an OpenAI-protocol server on loopback (tests/ai/servers.py) as the completion provider.

The generic notebook test (tests/notebook/test_notebooks.py) leaves this notebook out: it needs
that server and the `local-ai` extra.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

from .servers import ANSWER_PREFIX, openai_server
from .test_local_models import EMBEDDINGS_MISSING

NOTEBOOK = PROJECT_ROOT / "notebooks" / "rag.ipynb"
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def outputs_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.skipif(bool(EMBEDDINGS_MISSING), reason="needs the local-ai extra (all-MiniLM-L6-v2)")
@pytest.mark.timeout(600)
async def test_rag_notebook_answers_through_the_chat_gateway(tmp_path: Path, monkeypatch) -> None:
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    notebook = nbformat.read(tmp_path / NOTEBOOK.name, as_version=4)
    async with openai_server() as server:
        monkeypatch.setenv("RAG_OPENAI_URL", server.url)
        monkeypatch.setenv("RAG_OPENAI_KEY", "test-key")
        client = nbclient.NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
        )
        await client.async_execute()
    by_source = {
        cell["source"].splitlines()[0] if cell["source"] else "": cell
        for cell in notebook.cells
        if cell["cell_type"] == "code"
    }
    answer_cell = next(
        c
        for c in notebook.cells
        if c["cell_type"] == "code" and "streamed = await ask(" in c["source"]
    )
    question = "What is a Kafka topic split into?"
    assert outputs_text(answer_cell).strip() == ANSWER_PREFIX + question
    prompt_cell = next(
        c for c in notebook.cells if c["cell_type"] == "code" and 'record["prompt"]' in c["source"]
    )
    assert "split into partitions" in outputs_text(prompt_cell)  # the Kafka document was retrieved
    chat = server.bodies("/v1/chat/completions")
    assert len(chat) == 1 and chat[0]["messages"][1]["content"] == question
    assert server.bodies("/v1/embeddings") == []  # embeddings ran in the kernel
    assert by_source  # every code cell ran (nbclient raises on a failing cell)
    json.dumps(notebook)  # the executed notebook is still valid JSON
