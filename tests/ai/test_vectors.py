"""vector-db-sink, query, query-vector-db and re-rank on the embedded DuckDB store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kernel_runtime.agents.ai.datasources import close_databases, to_driver_sql
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.records import StreamRecord

from .helpers import Resource, configure, start

SCHEMA = """CREATE TABLE documents (
  filename TEXT, chunk_id int, text TEXT, embeddings_vector FLOATA,
  PRIMARY KEY (filename, chunk_id))"""
SINK = {
    "datasource": "db",
    "table-name": "documents",
    "fields": [
        {"name": "filename", "expression": "value.filename", "primary-key": True},
        {"name": "chunk_id", "expression": "value.chunk_id", "primary-key": True},
        {"name": "embeddings_vector", "expression": "fn:toListOfFloat(value.vector)"},
        {"name": "text", "expression": "value.text"},
    ],
}
# LangStream's examples query HerdDB like this; it runs unchanged on DuckDB
SEARCH = "SELECT text,embeddings_vector FROM documents ORDER BY cosine_similarity(embeddings_vector, CAST(? as FLOAT ARRAY)) DESC LIMIT 2"


@pytest.fixture
def database(tmp_path: Path):
    url = f"jdbc:duckdb:{tmp_path / 'store.duckdb'}"
    resources = {
        "db": Resource(
            "datasource", {"service": "jdbc", "url": url, "driverClass": "org.duckdb.DuckDBDriver"}
        )
    }
    yield resources
    close_databases()


def chunk(filename: str, chunk_id: int, text: str, vector: list[float]) -> StreamRecord:
    return StreamRecord(
        json.dumps({"filename": filename, "chunk_id": chunk_id, "text": text, "vector": vector})
    )


async def ingest(resources: dict) -> None:
    setup = await start(
        "query",
        {"datasource": "db", "query": SCHEMA, "mode": "execute", "output-field": "value.r"},
        resources,
    )
    await setup.process(StreamRecord("{}"))
    sink = await start("vector-db-sink", SINK, resources)
    for record in (
        chunk("a.txt", 0, "cats purr", [1.0, 0.0, 0.0]),
        chunk("a.txt", 1, "dogs bark", [0.0, 1.0, 0.0]),
        chunk("b.txt", 0, "birds sing", [0.0, 0.0, 1.0]),
        chunk("a.txt", 0, "cats purr loudly", [0.9, 0.1, 0.0]),  # same key: updated
    ):
        await sink.write(record)


async def test_sink_upserts_and_query_vector_db_finds_the_nearest(database: dict) -> None:
    await ingest(database)
    query = await start(
        "query-vector-db",
        {
            "datasource": "db",
            "query": SEARCH,
            "fields": ["value.q"],
            "output-field": "value.related",
        },
        database,
    )
    [out] = await query.process(StreamRecord(json.dumps({"q": [1.0, 0.05, 0.0]})))
    related = json.loads(out.value())["related"]
    assert [row["text"] for row in related] == ["cats purr loudly", "dogs bark"]
    assert related[0]["embeddings_vector"] == pytest.approx([0.9, 0.1, 0.0])


async def test_null_value_deletes_and_execute_counts(database: dict) -> None:
    await ingest(database)
    by_key = dict(
        SINK,
        fields=[
            {"name": "filename", "expression": "key.filename", "primary-key": True},
            {"name": "chunk_id", "expression": "key.chunk_id", "primary-key": True},
        ],
    )
    sink = await start("vector-db-sink", by_key, database)
    await sink.write(StreamRecord(None, json.dumps({"filename": "b.txt", "chunk_id": 0})))
    delete = await start(
        "query",
        {
            "datasource": "db",
            "mode": "execute",
            "query": "DELETE FROM documents WHERE filename = ? AND chunk_id > ?",
            "fields": ["value.filename", "fn:toInt(value.chunk_id)"],
            "output-field": "value.deleted",
        },
        database,
    )
    [out] = await delete.process(StreamRecord(json.dumps({"filename": "a.txt", "chunk_id": "0"})))
    assert json.loads(out.value())["deleted"] == {"count": 1}
    count = await start(
        "query",
        {
            "datasource": "db",
            "query": "SELECT count(*) AS n FROM documents",
            "only-first": True,
            "output-field": "value.n",
        },
        database,
    )
    [out] = await count.process(StreamRecord("{}"))
    assert json.loads(out.value())["n"] == {"n": 1}


async def test_query_loop_over_runs_per_item(database: dict) -> None:
    await ingest(database)
    query = await start(
        "query",
        {
            "datasource": "db",
            "query": "SELECT text FROM documents WHERE filename = ? ORDER BY chunk_id",
            "loop-over": "value.files",
            "fields": ["record.name"],
            "output-field": "value.texts",
        },
        database,
    )
    [out] = await query.process(
        StreamRecord(json.dumps({"files": [{"name": "b.txt"}, {"name": "a.txt"}]}))
    )
    assert [r["text"] for r in json.loads(out.value())["texts"]] == [
        "birds sing",
        "cats purr loudly",
        "dogs bark",
    ]


async def test_sqlite_datasource_works_too(tmp_path: Path) -> None:
    resources = {
        "db": Resource("datasource", {"service": "jdbc", "url": f"jdbc:sqlite:{tmp_path / 's.db'}"})
    }
    try:
        await ingest(resources)
        query = await start(
            "query",
            {
                "datasource": "db",
                "query": "SELECT text FROM documents ORDER BY cosine_similarity(embeddings_vector, ?) DESC",
                "fields": ["value.q"],
                "output-field": "value.r",
                "only-first": True,
            },
            resources,
        )
        [out] = await query.process(StreamRecord(json.dumps({"q": [0.0, 0.0, 1.0]})))
        assert json.loads(out.value())["r"] == {"text": "birds sing"}
    finally:
        close_databases()


def test_jdbc_parameters_become_the_drivers_style() -> None:
    sql = "SELECT * FROM t WHERE a = ? AND b LIKE '%?%' AND c = ?"
    assert (
        to_driver_sql(sql, "postgresql", "format")
        == "SELECT * FROM t WHERE a = %s AND b LIKE '%%?%%' AND c = %s"
    )
    assert to_driver_sql("CAST(? as float array)", "duckdb", "qmark") == "CAST(? AS FLOAT[])"


@pytest.mark.parametrize(
    ("agent_type", "config", "resources", "error", "message"),
    [
        (
            "query",
            {"datasource": "db", "query": "SELECT 1", "output-field": "value.x", "mode": "fetch"},
            None,
            AgentConfigError,
            "query, execute",
        ),
        (
            "query",
            {"datasource": "db", "query": "SELECT 1", "output-field": "x"},
            None,
            AgentConfigError,
            "not a field",
        ),
        (
            "query",
            {
                "datasource": "db",
                "query": "SELECT 1",
                "output-field": "value.x",
                "fields": ["value."],
            },
            None,
            AgentConfigError,
            "expression",
        ),
        (
            "query",
            {"datasource": "nope", "query": "SELECT 1", "output-field": "value.x"},
            None,
            AgentConfigError,
            "'nope' is not a resource",
        ),
        (
            "query-vector-db",
            {"datasource": "db", "query": "{}", "output-field": "value.x"},
            {"db": Resource("vector-database", {"service": "pinecone"})},
            AgentConfigError,
            "jdbc:duckdb",
        ),
        (
            "query",
            {"datasource": "db", "query": "SELECT 1", "output-field": "value.x"},
            {
                "db": Resource(
                    "datasource", {"service": "jdbc", "url": "jdbc:herddb:server:localhost:7000"}
                )
            },
            AgentConfigError,
            "herddb databases cannot run",
        ),
        (
            "vector-db-sink",
            {
                "datasource": "db",
                "table-name": "t",
                "fields": [{"name": "a", "expression": "value.a"}],
            },
            None,
            AgentConfigError,
            "primary-key",
        ),
        (
            "vector-db-sink",
            {"datasource": "db", "table-name": "t; DROP", "fields": []},
            None,
            AgentConfigError,
            "not a table name",
        ),
        (
            "vector-db-sink",
            {"datasource": "db", "vector.id": "value.id"},
            {"db": Resource("vector-database", {"service": "pinecone"})},
            AgentConfigError,
            "LangStream cluster",
        ),
        (
            "re-rank",
            {"field": "value.docs", "output-field": "value.docs", "algorithm": "BM25"},
            None,
            AgentConfigError,
            "none, MMR",
        ),
        (
            "re-rank",
            {"field": "value.docs", "output-field": "value.docs", "algorithm": "MMR"},
            None,
            AgentConfigError,
            "query-text",
        ),
    ],
)
def test_bad_configuration(agent_type, config, resources, error, message) -> None:
    if resources is None:
        resources = {"db": Resource("datasource", {"service": "jdbc", "url": "jdbc:duckdb:"})}
    with pytest.raises(error, match=message):
        configure(agent_type, config, resources)


async def test_rerank_mmr_prefers_relevant_then_diverse_documents() -> None:
    config = {
        "field": "value.docs",
        "output-field": "value.docs",
        "algorithm": "MMR",
        "query-text": "value.q",
        "text-field": "record.text",
        "embeddings-field": "record.v",
        "max": 2,
        "lambda": 0.3,  # weigh diversity: the near-duplicate loses to another kafka document
    }
    docs = [
        {"text": "kafka streams topics", "v": [1.0, 0.0]},
        {"text": "kafka streams topics again", "v": [1.0, 0.01]},  # relevant but redundant
        {"text": "kafka brokers", "v": [0.0, 1.0]},
        {"text": "gardening tips", "v": [0.7, 0.7]},
    ]
    agent = await start("re-rank", config)
    [out] = await agent.process(
        StreamRecord(json.dumps({"q": "kafka streams topics", "docs": docs}))
    )
    ranked = [d["text"] for d in json.loads(out.value())["docs"]]
    assert ranked == ["kafka streams topics", "kafka brokers"]
    none = await start("re-rank", {"field": "value.docs", "output-field": "value.out"})
    [out] = await none.process(StreamRecord(json.dumps({"docs": docs})))
    assert json.loads(out.value())["out"] == docs
