"""AI figures: local embedding throughput, batched vs one text at a time; vector query latency.

1. all-MiniLM-L6-v2 in process (the `local-ai` extra): texts/s when `compute-ai-embeddings`
   sends one text per call (flush-interval 0, LangStream's default) against batches of
   `--batch` texts, measured through the agent, on the same texts in the same process.
2. The embedded DuckDB vector store: p50 / p95 of LangStream's cosine-similarity query
   (`ORDER BY cosine_similarity(embeddings_vector, CAST(? as FLOAT ARRAY)) DESC LIMIT 5`)
   over `--vectors` stored 384-dimension vectors, against a numpy brute-force baseline on
   the same vectors.

    python benchmarks/ai.py [--texts 256] [--batch 32] [--vectors 10000] [--queries 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel_runtime.agents.ai.datasources import close_databases, open_database  # noqa: E402
from kernel_runtime.agents.ai.resources import ResourceRef, with_service_resources  # noqa: E402
from kernel_runtime.agents.builtin import BUILTIN_AGENTS  # noqa: E402
from kernel_runtime.records import StreamRecord  # noqa: E402

DIMENSIONS = 384
QUERY = (
    "SELECT text, embeddings_vector FROM documents ORDER BY "
    "cosine_similarity(embeddings_vector, CAST(? as FLOAT ARRAY)) DESC LIMIT 5"
)


class _Resource:
    type = "hugging-face-configuration"
    configuration = {"provider": "local"}


async def embed_through_agent(texts: list[str], batch_size: int, flush_interval: int) -> float:
    """texts/s of compute-ai-embeddings with this batching (model already loaded)."""
    agent = BUILTIN_AGENTS["compute-ai-embeddings"]()
    config = {
        "model": "all-MiniLM-L6-v2",
        "text": "{{ value.text }}",
        "embeddings-field": "value.v",
        "batch-size": batch_size,
        "flush-interval": flush_interval,
        "concurrency": 1,
    }
    agent.init(with_service_resources(agent.agent_type, config, {"local": _Resource()}), None)
    await agent.start()
    records = [StreamRecord(json.dumps({"text": t})) for t in texts]
    started = time.perf_counter()
    futures = [agent.process(r) for r in records]
    if flush_interval:
        agent.batcher.flush()  # the last partial batch goes at once, not after the interval
    for future in futures:
        await asyncio.wrap_future(future)
    elapsed = time.perf_counter() - started
    await agent.close()
    return len(texts) / elapsed


async def embeddings(count: int, batch: int) -> None:
    try:
        from kernel_runtime.agents.ai.providers.local import LocalEmbeddings
    except ImportError as error:  # pragma: no cover
        print(f"embeddings: skipped ({error})")
        return
    texts = [
        f"Document {i}: streams of records flow through topic number {i % 17}."
        for i in range(count)
    ]
    try:
        warm = LocalEmbeddings("all-MiniLM-L6-v2", None)
    except Exception as error:  # noqa: BLE001 - the extra is not installed
        print(f"embeddings: skipped ({error})")
        return
    started = time.perf_counter()
    await warm.embed(texts[:2], "all-MiniLM-L6-v2")
    print(f"embeddings: model loaded in {time.perf_counter() - started:.1f} s")
    one = await embed_through_agent(texts, 1, 0)
    batched = await embed_through_agent(texts, batch, 60_000)
    print(f"embeddings: one text per call   {one:8.1f} texts/s  (baseline)")
    print(
        f"embeddings: batches of {batch:<3}        {batched:8.1f} texts/s  ({batched / one:.1f}x)"
    )


def vector_queries(vectors: int, queries: int) -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    data = rng.standard_normal((vectors, DIMENSIONS)).astype("float32")
    probes = rng.standard_normal((queries, DIMENSIONS)).astype("float32")
    folder = Path(tempfile.mkdtemp(prefix="ls-bench-"))
    ref = ResourceRef(
        "store", "datasource", {"service": "jdbc", "url": f"jdbc:duckdb:{folder / 'bench.duckdb'}"}
    )
    database = open_database(ref)
    database.run_script(
        ["CREATE TABLE documents (chunk_id int PRIMARY KEY, text TEXT, embeddings_vector FLOATA)"]
    )
    started = time.perf_counter()
    database.execute(
        "INSERT INTO documents SELECT i, 'text ' || i, v FROM "
        "(SELECT unnest(range(?)) AS i, unnest(CAST(? AS FLOAT[][])) AS v)",
        [vectors, data.tolist()],
    )
    print(f"vectors: stored {vectors} x {DIMENSIONS} in {time.perf_counter() - started:.1f} s")
    database.fetch(QUERY, [probes[0].tolist()])  # warm up
    latencies = []
    for probe in probes:
        started = time.perf_counter()
        rows = database.fetch(QUERY, [probe.tolist()])
        latencies.append(time.perf_counter() - started)
        assert len(rows) == 5
    normed = data / np.linalg.norm(data, axis=1, keepdims=True)
    baseline = []
    for probe in probes:
        started = time.perf_counter()
        scores = normed @ (probe / np.linalg.norm(probe))
        top = np.argpartition(-scores, 5)[:5]
        top[np.argsort(-scores[top])]
        baseline.append(time.perf_counter() - started)
    check = database.fetch(QUERY.replace("text,", "chunk_id, text,"), [probes[0].tolist()])
    expected = np.argsort(-(normed @ (probes[0] / np.linalg.norm(probes[0]))))[:5].tolist()
    assert [row["chunk_id"] for row in check] == expected, "DuckDB and numpy disagree"
    p50, p95 = statistics.median(latencies), statistics.quantiles(latencies, n=20)[18]
    b50 = statistics.median(baseline)
    print(f"vectors: numpy brute force      p50 {b50 * 1000:7.2f} ms  (baseline)")
    print(
        f"vectors: DuckDB query-vector-db p50 {p50 * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  ({p50 / b50:.1f}x the baseline)"
    )
    close_databases()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--vectors", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(embeddings(args.texts, args.batch))
    vector_queries(args.vectors, args.queries)


if __name__ == "__main__":
    main()
