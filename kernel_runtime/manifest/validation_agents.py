"""Checks on the agents of the pipelines: types, configuration keys, ids and topics."""

from __future__ import annotations

import re
from typing import Any

from kernel_runtime.manifest import catalogue
from kernel_runtime.manifest.catalogue import (
    AGENT_TYPES,
    AgentType,
    get_agent_type,
    suggest_agent_type,
    suggest_field,
)
from kernel_runtime.manifest.graph import Graph, ResolvedAgent, executor_heads
from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.pipeline import AgentStep
from kernel_runtime.manifest.problems import NodePath, ProblemSink, did_you_mean
from kernel_runtime.manifest.validation_specs import check_errors_spec, check_resources_spec

# AgentResourcesFactory.validateAgentId: `<app id>-<agent id>` must match
# ^([a-z])[-a-z0-9]+$ and the agent id is at most 37 characters (63 for a pod name, less
# 20 for the application id, the separator and the replica index).
AGENT_ID_PATTERN = re.compile(r"^[-a-z0-9]+$")
MAX_AGENT_ID_LENGTH = 37

AI_SERVICE_TYPES = (
    "vertex-configuration",
    "hugging-face-configuration",
    "open-ai-configuration",
    "bedrock-configuration",
    "ollama-configuration",
)
NEEDS_AI_SERVICE = ("compute-ai-embeddings", "ai-chat-completions", "ai-text-completions")
NEEDS_DATASOURCE = ("query", "query-vector-db", "vector-db-sink")


def kubernetes_safe_id(agent_id: str) -> str:
    """A suggestion: lower case, '-' for anything else, at most 37 characters."""
    text = re.sub(r"[^a-z0-9]+", "-", agent_id.lower()).strip("-")
    return text[:MAX_AGENT_ID_LENGTH].rstrip("-") or "agent"


def _has_placeholder(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or "{{" in value)


def _sink_service_entry(app: Application, step: AgentStep) -> AgentType | None:
    """vector-db-sink's model for the service of its datasource (QueryVectorDBAgentProvider)."""
    resource = app.resources_by_name().get(str(step.configuration.get("datasource")))
    service = (resource.configuration or {}).get("service") if resource else None
    services = getattr(catalogue, "VECTOR_DB_SINK_SERVICES", {})
    if not isinstance(service, str) or service not in services:
        return None
    return services[service]


def _check_sink_service_keys(
    app: Application, step: AgentStep, agent: ResolvedAgent, path: NodePath, sink: ProblemSink
) -> None:
    """Per-service keys of vector-db-sink: LangStream rejects unknown ones; we warn, because
    its own rag-aws example still passes `index-name` to the OpenSearch sink."""
    entry = _sink_service_entry(app, step)
    if entry is None:
        return
    config = step.configuration or {}
    for name in entry.required:
        if config.get(name) is None:
            sink.error(
                agent.location.file,
                (*path, "configuration"),
                f"agent '{agent.id}' (vector-db-sink) needs configuration '{name}' for its "
                "datasource's service",
                f"add `{name}:` under configuration",
            )
    if entry.allow_unknown_fields:
        return
    for key in config:
        if key not in entry.fields:
            close = did_you_mean(key, entry.fields)
            sink.warning(
                agent.location.file,
                (*path, "configuration", key),
                f"configuration key '{key}' is not used by vector-db-sink for this datasource "
                "(LangStream rejects it)",
                f"did you mean '{close}'?" if close else "known keys: " + ", ".join(entry.fields),
            )


def _check_type_and_configuration(
    app: Application, step: AgentStep, agent: ResolvedAgent, path: NodePath, sink: ProblemSink
) -> None:
    file = agent.location.file
    if not (step.type or "").strip():
        who = f"agent id {step.id}" if step.id else f"agent name {step.name}" if step.name else None
        sink.error(
            file,
            path,
            "agent type is always required" + (f" (check {who})" if who else ""),
            "add `type:` (for example python-processor)",
        )
        return
    if step.type in getattr(catalogue, "INTERNAL_AGENT_TYPES", {}):
        sink.error(
            file,
            (*path, "type"),
            f"agent type '{step.type}' is internal to LangStream's planner",
            "list the agents it would combine as separate steps instead",
        )
        return
    entry = get_agent_type(step.type or "")
    if entry is None:
        close = suggest_agent_type(step.type or "")
        sink.error(
            file,
            (*path, "type"),
            f"unknown agent type '{step.type}'",
            f"did you mean '{close}'?"
            if close
            else f"known types: {', '.join(sorted(AGENT_TYPES))}",
        )
        return
    config = step.configuration or {}
    for name in entry.required:
        if name not in config or config[name] is None:
            description = entry.fields[name].description
            sink.error(
                file,
                (*path, "configuration"),
                f"agent '{agent.id}' ({step.type}) needs configuration '{name}'",
                f"add `{name}:` under configuration" + (f" ({description})" if description else ""),
            )
    if not entry.allow_unknown_fields:
        for key in config:
            if key in entry.fields:
                continue
            close = suggest_field(step.type or "", key)
            hint = f"did you mean '{close}'?" if close and close != key else None
            if hint is None and entry.fields:
                hint = f"known keys: {', '.join(sorted(entry.fields))}"
            sink.error(
                file,
                (*path, "configuration", key),
                f"unknown configuration key '{key}' for agent type '{step.type}'",
                hint,
            )
    if step.type == "vector-db-sink":
        _check_sink_service_keys(app, step, agent, path, sink)
    _check_resource_refs(app, step, agent, path, sink)


def _check_resource_refs(
    app: Application, step: AgentStep, agent: ResolvedAgent, path: NodePath, sink: ProblemSink
) -> None:
    """GenAIToolKitFunctionAgentProvider: AI service and datasource resources must exist."""
    file = agent.location.file
    if "configuration.yaml" in sink.unreadable:
        return
    resources = app.resources_by_name()
    config = step.configuration or {}
    if step.type in NEEDS_AI_SERVICE:
        wanted = config.get("ai-service")
        if wanted is not None and not _has_placeholder(wanted):
            resource = resources.get(str(wanted))
            if resource is None or resource.type not in AI_SERVICE_TYPES:
                sink.error(
                    file,
                    (*path, "configuration", "ai-service"),
                    f"resource '{wanted}' is not an AI service resource in configuration.yaml",
                    _resource_hint(str(wanted), resources, AI_SERVICE_TYPES),
                )
        elif wanted is None and not any(r.type in AI_SERVICE_TYPES for r in resources.values()):
            sink.error(
                file,
                (*path, "type"),
                f"agent '{agent.id}' ({step.type}) needs an AI service, and configuration.yaml "
                "defines none",
                "add a resource of type " + ", ".join(AI_SERVICE_TYPES),
            )
    if step.type in NEEDS_DATASOURCE:
        wanted = config.get("datasource")
        if wanted is not None and not _has_placeholder(wanted) and str(wanted) not in resources:
            sink.error(
                file,
                (*path, "configuration", "datasource"),
                f"resource '{wanted}' not found in configuration.yaml",
                _resource_hint(str(wanted), resources, ("datasource", "vector-database")),
            )


def _resource_hint(wanted: str, resources: dict[str, Any], types: tuple[str, ...]) -> str:
    fitting = [name for name, r in resources.items() if r.type in types]
    close = did_you_mean(wanted, fitting)
    if close:
        return f"did you mean '{close}'?"
    if fitting:
        return "resources that fit: " + ", ".join(fitting)
    return "add a resource of type " + " or ".join(types) + " to configuration.yaml"


def _check_id(agent: ResolvedAgent, path: NodePath, sink: ProblemSink) -> None:
    file = agent.location.file
    where = path if agent.id_generated else (*path, "id")
    fix = kubernetes_safe_id(agent.id)
    how = (
        f"the id is generated from the pipeline id and type; set `id: {fix}` on the agent"
        if agent.id_generated
        else f"rename it, for example to '{fix}'"
    )
    if not AGENT_ID_PATTERN.match(agent.id):
        sink.error(
            file,
            where,
            f"agent id '{agent.id}' contains illegal characters: only lower-case letters, "
            "digits and '-' are allowed (Kubernetes resource names)",
            how,
        )
    elif len(agent.id) > MAX_AGENT_ID_LENGTH:
        sink.error(
            file,
            where,
            f"agent id '{agent.id}' is too long ({len(agent.id)} characters, max length is "
            f"{MAX_AGENT_ID_LENGTH})",
            how,
        )


def _check_topics(
    agent: ResolvedAgent,
    step: AgentStep,
    path: NodePath,
    declared: set[str],
    complete: bool,
    sink: ProblemSink,
) -> None:
    file = agent.location.file
    for key in ("input", "output"):
        name = getattr(step, key)
        if name is None or name in declared or not complete:
            continue
        close = did_you_mean(name, declared)
        sink.error(
            file,
            (*path, key),
            f"topic '{name}' is not defined in module '{agent.module}'",
            f"did you mean '{close}'?"
            if close
            else f'declare it under `topics:` (- name: "{name}") in a pipeline file',
        )
    if agent.component == "service":
        for key in ("input", "output"):
            if getattr(agent, key) is not None:
                implicit = getattr(step, key) is None
                sink.error(
                    file,
                    (*path, key) if not implicit else path,
                    f"service agents ({agent.type}) cannot have an {key}"
                    + (" (it follows another agent in the pipeline)" if implicit else ""),
                    "put the service agent in a pipeline file of its own, without input/output",
                )
        if (agent.errors.retries or 0) > 0:
            sink.error(
                file,
                (*path, "errors", "retries"),
                f"service agents ({agent.type}) cannot have retries",
                "remove `retries:` (or set it to 0)",
            )


def check_agents(app: Application, graph: Graph, sink: ProblemSink) -> None:
    """Per agent: type, configuration, id, topics; then ids unique and chains complete.

    Undeclared topics are not reported when a file could not be read (it may declare them).
    """
    complete = not sink.unreadable
    declared_by_module: dict[str, set[str]] = {}
    for pipeline in app.pipelines:
        names = {t.name for t in pipeline.topics if t.name}
        declared_by_module.setdefault(pipeline.module_id, set()).update(names)
    heads = {a.id for a in executor_heads(graph.agents)}
    agents = iter(graph.agents)
    first_seen: dict[str, ResolvedAgent] = {}
    for pipeline in app.pipelines:
        for index, step in enumerate(pipeline.steps):
            agent = next(agents)
            path: NodePath = ("pipeline", index)
            _check_type_and_configuration(app, step, agent, path, sink)
            check_errors_spec(step.errors, pipeline.file, (*path, "errors"), sink)
            check_resources_spec(step.resources, pipeline.file, (*path, "resources"), sink)
            if agent.id in heads and step.type:
                _check_id(agent, path, sink)
            _check_topics(agent, step, path, declared_by_module[pipeline.module_id], complete, sink)
            other = first_seen.get(agent.id)
            if other is not None:
                sink.error(
                    pipeline.file,
                    path if agent.id_generated else (*path, "id"),
                    f"agent id '{agent.id}' is used twice (also at {other.location})",
                    "give each agent its own `id:`",
                )
            first_seen.setdefault(agent.id, agent)
    for previous, following in graph.missing_outputs:
        sink.error(
            previous.location.file,
            ("pipeline", previous.index),
            f"agent '{previous.id}' has no output, but agent '{following.id}' follows it in "
            "the same pipeline",
            f"give '{previous.id}' an `output:` topic, or move '{following.id}' to another "
            "pipeline file",
        )
