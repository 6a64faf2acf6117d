"""The LangStream agent catalogue, as data.

Facts read from LangStream (Apache-2.0) at commit 88793bcf7 (2024-05-20) of
github.com/LangStream/langstream; nothing here is copied code. Sources:

* the ``AgentNodeProvider`` classes registered in ``META-INF/services`` of langstream-core
  and langstream-k8s-runtime-core: supported type names, ``getComponentType``,
  ``isComposable`` (``AbstractComposableAgentProvider`` => composable),
  ``getAgentConfigModelClass`` and ``isAgentConfigModelAllowUnknownProperties``;
* the model classes' fields: YAML key = ``@JsonProperty`` value, else the Java field name;
  ``@ConfigProperty(required, defaultValue, description)``. As in LangStream's
  ``ClassConfigValidator``, every non-static field of the model (and its superclasses)
  is a property, an empty ``defaultValue`` counts as no default, and the JSON-schema
  type of the Java type gives ``type`` (enums are strings, POJOs/maps are objects).

Cross-checked against the generated ``dev-scripts/api.json`` of LangStream/documentation
(v0.6.2): same property names, types, required flags and defaults for every type it lists.

Special cases (recorded as LangStream's models state them, no invented rules):

* ``ai-chat-completions`` requires ``model`` and ``messages``; ``ai-text-completions``
  requires ``model`` and ``prompt``. Neither accepts the other's key. Both also need an
  AI service resource in the application (checked at plan time, not a config key).
* GenAI toolkit types are composable unless their ``composable`` key is false.
* ``vector-db-sink``: keys depend on the datasource's ``service``; the generic entry
  requires only ``datasource`` and allows any key, ``VECTOR_DB_SINK_SERVICES`` holds the
  exact per-service models (see ``vector_db_sink_for``).
* ``azure-blob-storage-source`` needs a SAS token, or account name + key, or a connection
  string; the model marks none of them required.
* ``langserve-invoke``: ``url`` must end in ``/invoke`` or ``/stream`` (planner check).
  ``output-field`` is marked required although it also declares the default ``value``.
* ``trigger-event.destination`` and ``dispatch`` route destinations must be declared topics.
* ``python-function`` is a planner alias of ``python-processor`` with no runtime code.
* ``noop`` has no model and only runs on the "none" compute cluster; the planner-internal
  ``composite-agent`` is kept apart in ``INTERNAL_AGENT_TYPES``.
* Nested list items (``fields``, ``messages``, ``routes``) have their own required keys
  in LangStream; they are only described here, not modelled.
"""

from __future__ import annotations

from kernel_runtime.manifest.catalogue_data._model import (
    AgentType,
    ComponentType,
    ConfigField,
    FieldType,
)
from kernel_runtime.manifest.catalogue_data.ai import GENAI_AGENTS, OTHER_AI_AGENTS
from kernel_runtime.manifest.catalogue_data.flow import CORE_AGENTS, FLOW_AGENTS, INTERNAL_AGENTS
from kernel_runtime.manifest.catalogue_data.io import IO_AGENTS
from kernel_runtime.manifest.catalogue_data.python import PYTHON_AGENTS
from kernel_runtime.manifest.catalogue_data.text import TEXT_AGENTS
from kernel_runtime.manifest.catalogue_data.vectors import VECTOR_AGENTS, VECTOR_DB_SINK_SERVICES
from kernel_runtime.manifest.problems import did_you_mean

__all__ = [
    "AGENT_TYPES",
    "INTERNAL_AGENT_TYPES",
    "LANGSTREAM_COMMIT",
    "VECTOR_DB_SINK_SERVICES",
    "AgentType",
    "ComponentType",
    "ConfigField",
    "FieldType",
    "get_agent_type",
    "suggest_agent_type",
    "suggest_field",
    "vector_db_sink_for",
]

LANGSTREAM_COMMIT = "88793bcf7"


def _index(*groups: list[AgentType]) -> dict[str, AgentType]:
    out: dict[str, AgentType] = {}
    for group in groups:
        for agent_type in group:
            if agent_type.name in out:
                raise ValueError(f"agent type {agent_type.name!r} declared twice")
            out[agent_type.name] = agent_type
    return out


AGENT_TYPES: dict[str, AgentType] = _index(
    GENAI_AGENTS,
    OTHER_AI_AGENTS,
    TEXT_AGENTS,
    PYTHON_AGENTS,
    FLOW_AGENTS,
    CORE_AGENTS,
    IO_AGENTS,
    VECTOR_AGENTS,
)

# Types the planner creates itself; users never write them.
INTERNAL_AGENT_TYPES: dict[str, AgentType] = _index(INTERNAL_AGENTS)


def get_agent_type(name: str) -> AgentType | None:
    """The catalogue entry of a user-facing agent type, or None."""
    return AGENT_TYPES.get(name)


def vector_db_sink_for(service: str | None) -> AgentType:
    """The model of ``vector-db-sink`` for a datasource ``service`` (generic if unknown)."""
    if service is not None and service in VECTOR_DB_SINK_SERVICES:
        return VECTOR_DB_SINK_SERVICES[service]
    return AGENT_TYPES["vector-db-sink"]


def suggest_agent_type(name: str) -> str | None:
    """Closest known agent type to ``name`` (for "did you mean"), or None."""
    if name in AGENT_TYPES:
        return name
    return did_you_mean(name, list(AGENT_TYPES))


def suggest_field(agent_type: str, field_name: str) -> str | None:
    """Closest configuration key of ``agent_type`` to ``field_name``, or None.

    For ``vector-db-sink`` the keys of every per-service model are candidates.
    """
    entry = AGENT_TYPES.get(agent_type) or INTERNAL_AGENT_TYPES.get(agent_type)
    if entry is None:
        return None
    candidates = list(entry.fields)
    if agent_type == "vector-db-sink":
        for model in VECTOR_DB_SINK_SERVICES.values():
            candidates.extend(k for k in model.fields if k not in candidates)
    if field_name in candidates:
        return field_name
    return did_you_mean(field_name, candidates)
