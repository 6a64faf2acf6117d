"""Tests of the LangStream agent catalogue (kernel_runtime.manifest.catalogue)."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
import yaml

from kernel_runtime.manifest.catalogue import (
    AGENT_TYPES,
    INTERNAL_AGENT_TYPES,
    VECTOR_DB_SINK_SERVICES,
    AgentType,
    ComponentType,
    ConfigField,
    FieldType,
    get_agent_type,
    suggest_agent_type,
    suggest_field,
    vector_db_sink_for,
)

EXAMPLES = Path("/work/shared/langstream-examples/applications")

# Upstream example configs LangStream itself would reject (stale after a model change):
# rag-aws still sets index-name on an OpenSearch vector-db-sink, which LangStream moved
# to the datasource resource (OpenSearch sink model rejects unknown keys).
KNOWN_STALE_EXAMPLE_KEYS = {("rag-aws", "vector-db-sink", "index-name")}


def _pipeline_agents() -> list[tuple[str, Path, dict]]:
    """(application name, file, agent mapping) for every pipeline agent of the examples."""
    out = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        if isinstance(doc, dict) and isinstance(doc.get("pipeline"), list):
            app = path.relative_to(EXAMPLES).parts[0]
            out.extend((app, path, agent) for agent in doc["pipeline"])
    return out


def _resources(app: str) -> dict[str, dict]:
    conf = EXAMPLES / app / "configuration.yaml"
    if not conf.exists():
        return {}
    doc = yaml.safe_load(conf.read_text()) or {}
    resources = (doc.get("configuration") or {}).get("resources") or []
    return {r.get("name") or r.get("id"): r for r in resources}


needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples not available")


# --- coverage of the example applications -------------------------------------------


@needs_examples
def test_every_example_agent_type_is_known():
    agents = _pipeline_agents()
    assert len(agents) > 100  # the walk really found the pipelines
    used = {agent["type"] for _, _, agent in agents}
    missing = sorted(used - set(AGENT_TYPES))
    assert missing == []
    # a few types the examples are known to use
    assert {"document-to-json", "vector-db-sink", "camel-source", "sink"} <= used


@needs_examples
def test_example_configurations_satisfy_the_models():
    problems = []
    for app, path, agent in _pipeline_agents():
        entry = get_agent_type(agent["type"])
        config = agent.get("configuration") or {}
        if agent["type"] == "vector-db-sink":
            resource = _resources(app).get(config.get("datasource"), {})
            entry = vector_db_sink_for((resource.get("configuration") or {}).get("service"))
        for key in entry.required:
            if key not in config:
                problems.append((app, path.name, agent["type"], "missing", key))
        if not entry.allow_unknown_fields:
            for key in config:
                if key not in entry.fields and (app, agent["type"], key) not in (
                    KNOWN_STALE_EXAMPLE_KEYS
                ):
                    problems.append((app, path.name, agent["type"], "unknown", key))
    assert problems == []


@needs_examples
def test_stale_example_key_is_really_rejected():
    # the exemption above must stay justified: the key is there and the model rejects it
    sinks = [
        agent
        for app, _, agent in _pipeline_agents()
        if app == "rag-aws" and agent["type"] == "vector-db-sink"
    ]
    assert sinks and all("index-name" in agent["configuration"] for agent in sinks)
    opensearch = VECTOR_DB_SINK_SERVICES["opensearch"]
    assert not opensearch.allow_unknown_fields
    assert "index-name" not in opensearch.fields


# --- the catalogue contents ------------------------------------------------------------

EXPECTED_TYPES = {
    # GenAI toolkit
    "ai-chat-completions", "ai-text-completions", "cast", "compute", "compute-ai-embeddings",
    "drop", "drop-fields", "flatten", "merge-key-value", "query", "unwrap-key-value",
    # other AI
    "re-rank", "flare-controller",
    # text processing
    "document-to-json", "language-detector", "text-extractor", "text-normaliser",
    "text-splitter",
    # python
    "python-function", "python-processor", "python-service", "python-sink", "python-source",
    # flow control and core
    "dispatch", "log-event", "timer-source", "trigger-event", "identity", "noop",
    # sources, sinks, http
    "azure-blob-storage-source", "camel-source", "s3-source", "webcrawler-source",
    "sink", "source", "http-request", "langserve-invoke",
    # vector databases
    "query-vector-db", "vector-db-sink",
}  # fmt: skip


def test_catalogue_has_exactly_the_langstream_types():
    assert set(AGENT_TYPES) == EXPECTED_TYPES
    assert len(AGENT_TYPES) == 39
    assert set(INTERNAL_AGENT_TYPES) == {"composite-agent"}
    assert "composite-agent" not in AGENT_TYPES
    assert get_agent_type("composite-agent") is None


@pytest.mark.parametrize(
    ("name", "required"),
    [
        ("python-processor", ("className",)),
        ("python-source", ("className",)),
        ("python-service", ("className",)),
        ("ai-chat-completions", ("model", "messages")),
        ("ai-text-completions", ("model", "prompt")),
        ("compute-ai-embeddings", ("text", "embeddings-field")),
        ("compute", ("fields",)),
        ("drop-fields", ("fields",)),
        ("cast", ("schema-type",)),
        ("query", ("query", "output-field", "datasource")),
        ("query-vector-db", ("query", "output-field", "datasource")),
        ("re-rank", ("field", "output-field")),
        ("flare-controller", ("tokens-field", "logprobs-field", "loop-topic", "retrieve-documents-field")),
        ("trigger-event", ("destination",)),
        ("http-request", ("url", "output-field")),
        ("langserve-invoke", ("url", "output-field")),
        ("camel-source", ("component-uri",)),
        ("azure-blob-storage-source", ("endpoint",)),
        ("sink", ("connector.class",)),
        ("source", ("connector.class",)),
        ("vector-db-sink", ("datasource",)),
        ("s3-source", ()),
        ("webcrawler-source", ()),
        ("text-splitter", ()),
        ("identity", ()),
        ("drop", ()),
    ],
)  # fmt: skip
def test_required_fields(name, required):
    assert AGENT_TYPES[name].required == required


@pytest.mark.parametrize(
    ("name", "component"),
    [
        ("python-source", "source"),
        ("python-sink", "sink"),
        ("python-processor", "processor"),
        ("python-function", "processor"),
        ("python-service", "service"),
        ("timer-source", "source"),
        ("webcrawler-source", "source"),
        ("s3-source", "source"),
        ("azure-blob-storage-source", "source"),
        ("camel-source", "source"),
        ("source", "source"),
        ("sink", "sink"),
        ("vector-db-sink", "sink"),
        ("query-vector-db", "processor"),
        ("dispatch", "processor"),
        ("trigger-event", "processor"),
        ("ai-chat-completions", "processor"),
        ("text-splitter", "processor"),
        ("langserve-invoke", "processor"),
        ("noop", "processor"),
    ],
)
def test_components(name, component):
    assert AGENT_TYPES[name].component == component


def test_only_python_has_a_service_and_sinks_are_few():
    services = {n for n, a in AGENT_TYPES.items() if a.component == "service"}
    sinks = {n for n, a in AGENT_TYPES.items() if a.component == "sink"}
    assert services == {"python-service"}
    assert sinks == {"python-sink", "sink", "vector-db-sink"}


def test_composability_and_unknown_keys():
    # Kafka Connect agents and noop do not extend the composable provider
    not_composable = {n for n, a in AGENT_TYPES.items() if not a.composable}
    assert not_composable == {"sink", "source", "noop"}
    allow_unknown = {n for n, a in AGENT_TYPES.items() if a.allow_unknown_fields}
    assert allow_unknown == {
        "python-source",
        "python-sink",
        "python-processor",
        "python-function",
        "python-service",
        "sink",
        "source",
        "noop",
        "vector-db-sink",
    }
    # a model without properties accepts no keys at all
    assert AGENT_TYPES["identity"].fields == {}
    assert not AGENT_TYPES["identity"].allow_unknown_fields
    assert AGENT_TYPES["text-extractor"].fields == {}
    # no model at all: anything goes
    assert AGENT_TYPES["noop"].fields == {} and AGENT_TYPES["noop"].allow_unknown_fields


def test_yaml_spellings_follow_langstream():
    # @JsonProperty names win; bare Java field names are kept as they are
    assert "period-seconds" in AGENT_TYPES["timer-source"].fields
    assert "bucketName" in AGENT_TYPES["s3-source"].fields
    assert "access-key" in AGENT_TYPES["s3-source"].fields
    assert "allowedLanguages" in AGENT_TYPES["language-detector"].fields
    assert "chunk_size" in AGENT_TYPES["text-splitter"].fields
    assert "unwrapKey" in AGENT_TYPES["unwrap-key-value"].fields
    assert "stream-response-field" in AGENT_TYPES["langserve-invoke"].fields
    assert "stream-response-completion-field" in AGENT_TYPES["ai-chat-completions"].fields


def test_defaults_are_parsed():
    splitter = AGENT_TYPES["text-splitter"].fields
    assert splitter["chunk_size"].default == 200
    assert splitter["keep_separator"].default is False
    assert splitter["separators"].default == ["\n\n", "\n", " ", ""]
    assert AGENT_TYPES["re-rank"].fields["lambda"].default == 0.5
    assert AGENT_TYPES["webcrawler-source"].fields["reindex-interval-seconds"].default == 86400
    assert AGENT_TYPES["compute-ai-embeddings"].fields["model"].default == "text-embedding-ada-002"
    assert AGENT_TYPES["drop"].fields["composable"].default is True
    # an empty LangStream defaultValue means "no default"
    assert AGENT_TYPES["camel-source"].fields["key-header"].default is None


def test_every_entry_is_well_formed():
    field_types = set(typing.get_args(FieldType))
    components = set(typing.get_args(ComponentType))
    python_type = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list}
    entries = [*AGENT_TYPES.items(), *INTERNAL_AGENT_TYPES.items()]
    entries += [("vector-db-sink", a) for a in VECTOR_DB_SINK_SERVICES.values()]
    for key, entry in entries:
        assert isinstance(entry, AgentType)
        assert entry.name == key
        assert entry.component in components
        assert entry.description and "\n" not in entry.description
        if not entry.fields:
            continue
        for name, cf in entry.fields.items():
            assert isinstance(cf, ConfigField)
            assert cf.name == name
            assert cf.type in field_types, (key, name)
            assert cf.description and "\n" not in cf.description, (key, name)
            if cf.default is not None and cf.type in python_type:
                assert type(cf.default) is python_type[cf.type], (key, name, cf.default)


def test_entries_are_frozen():
    with pytest.raises(AttributeError):
        AGENT_TYPES["identity"].composable = False  # type: ignore[misc]


# --- vector-db-sink per datasource service ----------------------------------------------


def test_vector_db_sink_services():
    assert set(VECTOR_DB_SINK_SERVICES) == {
        "cassandra",
        "astra",
        "astra-vector-db",
        "jdbc",
        "pinecone",
        "opensearch",
        "solr",
        "milvus",
    }
    assert VECTOR_DB_SINK_SERVICES["jdbc"].required == ("datasource", "table-name", "fields")
    assert VECTOR_DB_SINK_SERVICES["astra"].required == ("datasource", "table-name", "mapping")
    assert VECTOR_DB_SINK_SERVICES["astra-vector-db"].required == (
        "datasource",
        "collection-name",
        "fields",
    )
    assert VECTOR_DB_SINK_SERVICES["pinecone"].allow_unknown_fields
    assert not VECTOR_DB_SINK_SERVICES["solr"].allow_unknown_fields
    assert vector_db_sink_for("milvus") is VECTOR_DB_SINK_SERVICES["milvus"]
    assert vector_db_sink_for("nope") is AGENT_TYPES["vector-db-sink"]
    assert vector_db_sink_for(None) is AGENT_TYPES["vector-db-sink"]
    for model in VECTOR_DB_SINK_SERVICES.values():
        assert model.component == "sink" and model.composable


# --- suggestions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("python-procesor", "python-processor"),
        ("python-processor", "python-processor"),
        ("ai-chat-completion", "ai-chat-completions"),
        ("text-normalizer", "text-normaliser"),
        ("webcrawler", "webcrawler-source"),
        ("vector-db-sinc", "vector-db-sink"),
        ("query-vectordb", "query-vector-db"),
    ],
)
def test_suggest_agent_type(typo, expected):
    assert suggest_agent_type(typo) == expected


def test_suggest_agent_type_gives_up_on_nonsense():
    assert suggest_agent_type("zzzzzzzzzzzz") is None
    assert suggest_agent_type("") is None


def test_suggest_field():
    assert suggest_field("python-processor", "classname") == "className"
    assert suggest_field("python-processor", "class-name") == "className"
    assert suggest_field("compute-ai-embeddings", "embedding-field") == "embeddings-field"
    assert suggest_field("ai-chat-completions", "max_tokens") == "max-tokens"
    assert suggest_field("timer-source", "period-second") == "period-seconds"
    assert suggest_field("vector-db-sink", "table_name") == "table-name"
    assert suggest_field("identity", "anything") is None
    assert suggest_field("no-such-type", "x") is None
