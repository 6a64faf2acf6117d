"""Which configuration.yaml resource an AI agent uses, decided as LangStream's planner does.

LangStream's `GenAIToolKitFunctionAgentProvider` puts the chosen AI service (by `ai-service`, else
every AI service of the application) and the `datasource` resource into the agent's
configuration; at run time the first provider that supports one of them wins, in the order
openai, vertex, huggingface, bedrock, ollama. The runtime hands the same choice to our agents
under private keys (`SERVICE_KEY`, `DATASOURCE_KEY`), with the resource type, which the
`resources` map that Python agents get does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kernel_runtime.agents.errors import AgentConfigError

SERVICE_KEY = "__ai-service-resource__"
DATASOURCE_KEY = "__datasource-resource__"

# ServiceProviderRegistry order (META-INF/services of langstream-ai-agents)
AI_SERVICE_ORDER = (
    "open-ai-configuration",
    "vertex-configuration",
    "hugging-face-configuration",
    "bedrock-configuration",
    "ollama-configuration",
)
AI_SERVICE_AGENTS = frozenset(
    {"ai-chat-completions", "ai-text-completions", "compute-ai-embeddings"}
)
DATASOURCE_AGENTS = frozenset({"query", "query-vector-db", "vector-db-sink"})
DATASOURCE_TYPES = ("datasource", "vector-database")


@dataclass(frozen=True)
class ResourceRef:
    """One configuration.yaml resource: its id, type and configuration."""

    id: str
    type: str
    configuration: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "configuration": dict(self.configuration)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResourceRef:
        return cls(str(data["id"]), str(data["type"]), dict(data.get("configuration") or {}))


def _ref(resource_id: str, resource: Any) -> ResourceRef:
    return ResourceRef(resource_id, str(resource.type or ""), dict(resource.configuration or {}))


def choose_ai_service(
    config: Mapping[str, Any], resources: Mapping[str, Any]
) -> ResourceRef | None:
    """The resource named by `ai-service`, else the first AI service in provider order."""
    wanted = config.get("ai-service")
    if wanted is not None:
        resource = resources.get(str(wanted))
        return _ref(str(wanted), resource) if resource is not None else None
    for service_type in AI_SERVICE_ORDER:
        for resource_id, resource in resources.items():
            if resource.type == service_type:
                return _ref(resource_id, resource)
    return None


def with_service_resources(
    agent_type: str, config: dict[str, Any], resources: Mapping[str, Any]
) -> dict[str, Any]:
    """`config` plus the AI service / datasource resource the agent will use (if it needs one)."""
    if agent_type in AI_SERVICE_AGENTS:
        chosen = choose_ai_service(config, resources)
        if chosen is not None:
            config[SERVICE_KEY] = chosen.as_dict()
    if agent_type in DATASOURCE_AGENTS:
        wanted = config.get("datasource")
        resource = resources.get(str(wanted)) if wanted is not None else None
        if resource is not None:
            config[DATASOURCE_KEY] = _ref(str(wanted), resource).as_dict()
    return config


def pop_resource(
    config: dict[str, Any], key: str, *, agent: str, what: str, fix: str
) -> ResourceRef:
    """Remove and return the resource the runtime attached under `key`, or explain what is missing."""
    data = config.pop(key, None)
    if data is None:
        raise AgentConfigError(f"{agent}: no {what} resource found in configuration.yaml; {fix}")
    return ResourceRef.from_dict(data)
