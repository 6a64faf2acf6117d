"""query-vector-db and vector-db-sink (QueryVectorDBAgentProvider).

Both are always composable. query-vector-db uses the ``query`` model and rejects unknown
keys. The keys of vector-db-sink depend on the ``service`` of the datasource resource it
names: LangStream picks one of the models in ``VECTOR_DB_SINK_SERVICES`` (writer configs
in langstream-k8s-runtime-core/.../agents/vectors/) at plan time. The generic
``vector-db-sink`` entry therefore only requires ``datasource`` and accepts any key.
``fields`` lists hold ``{name, expression}`` maps (jdbc adds ``primary-key``).
"""

from __future__ import annotations

from ._model import AgentType, ConfigField, agent, f
from .ai import query_fields

_FIELDS = "List of {name, expression} computing the stored fields."
_TABLE = "Existing table to write to."


def _datasource() -> ConfigField:
    return f(
        "datasource",
        "string",
        "Id of the datasource / vector-database resource to write to.",
        required=True,
    )


def _cassandra_fields() -> list[ConfigField]:
    return [
        _datasource(),
        f("table-name", "string", _TABLE, required=True),
        f("keyspace", "string", "Keyspace of the table."),
        f(
            "mapping",
            "string",
            "Comma separated column=record-field pairs, e.g. id=key, name=value.name.",
            required=True,
        ),
    ]


def _sink(desc: str, fields: list[ConfigField], allow_unknown: bool) -> AgentType:
    return agent(
        "vector-db-sink",
        "sink",
        desc,
        composable=True,
        fields=fields,
        allow_unknown=allow_unknown,
    )


VECTOR_AGENTS: list[AgentType] = [
    agent(
        "query-vector-db",
        "processor",
        "Runs a (vector search) query against a vector database.",
        composable=True,
        fields=query_fields(),
    ),
    agent(
        "vector-db-sink",
        "sink",
        "Writes records to a vector database; keys depend on the datasource service.",
        composable=True,
        fields=[_datasource()],
        allow_unknown=True,
    ),
]

# service of the datasource resource -> exact model LangStream validates vector-db-sink with
VECTOR_DB_SINK_SERVICES: dict[str, AgentType] = {
    "cassandra": _sink(
        "Writes to Apache Cassandra (DataStax Kafka sink options accepted).",
        _cassandra_fields(),
        allow_unknown=True,
    ),
    "astra": _sink(
        "Writes to DataStax Astra (DataStax Kafka sink options accepted).",
        _cassandra_fields(),
        allow_unknown=True,
    ),
    "astra-vector-db": _sink(
        "Writes to an Astra Vector DB collection.",
        [
            _datasource(),
            f("collection-name", "string", "Existing collection to write to.", required=True),
            f("fields", "array", _FIELDS, required=True),
        ],
        allow_unknown=True,
    ),
    "jdbc": _sink(
        "Writes to a JDBC database table.",
        [
            _datasource(),
            f("table-name", "string", _TABLE, required=True),
            f(
                "fields",
                "array",
                "List of {name, expression, primary-key?} columns.",
                required=True,
            ),
        ],
        allow_unknown=False,
    ),
    "pinecone": _sink(
        "Writes to Pinecone; add vector.metadata.<name> keys for metadata.",
        [
            _datasource(),
            f("vector.id", "string", "EL expression of the vector id."),
            f("vector.vector", "string", "EL expression of the vector."),
            f("vector.namespace", "string", "EL expression of the namespace."),
            f("vector.metadata", "object", "Metadata name -> EL expression."),
        ],
        allow_unknown=True,
    ),
    "opensearch": _sink(
        "Writes to OpenSearch or AWS OpenSearch serverless.",
        [
            _datasource(),
            f("fields", "array", "List of {name, expression} index fields.", required=True),
            f("id", "string", "EL expression of the document _id (empty: auto)."),
            f("bulk-parameters", "object", "OpenSearch bulk URL parameters."),
            f("flush-interval", "integer", "Flush interval in milliseconds.", default=1000),
            f(
                "batch-size",
                "integer",
                "Bulk batch size; a full batch triggers a flush.",
                default=10,
            ),
        ],
        allow_unknown=False,
    ),
    "solr": _sink(
        "Writes to Apache Solr (collection set on the datasource).",
        [
            _datasource(),
            f("fields", "array", _FIELDS, required=True),
            f("commit-within", "integer", "Solr commitWithin, in milliseconds.", default=1000),
        ],
        allow_unknown=False,
    ),
    "milvus": _sink(
        "Writes to Milvus / Zilliz.",
        [
            _datasource(),
            f("fields", "array", _FIELDS, required=True),
            f("collection-name", "string", "Collection name."),
            f("database-name", "string", "Database name."),
        ],
        allow_unknown=False,
    ),
}
