"""The application after implicit chaining: agents with ids and topics, and every topic.

Mirrors how LangStream wires a pipeline (ModelBuilder.parsePipelineFile, then
BasicClusterRuntime.getConnectionImplementation / buildImplicitTopicForAgent /
buildImplicitTopicForDeadletterQueue in langstream-core):

* an agent without `id` gets `<module>-<pipeline-id>-<type>-<n>` (the module prefix only
  outside the default module; n counts the id-less agents of the file, from 1);
* an agent without `input` that follows another agent reads the previous agent's output;
  when that agent has no `output` either, an implicit topic `agent-<this id>-input` joins
  them (create-if-not-exists, not deleted, 0 partitions);
* an agent with `on-failure: dead-letter` and an input gets `<input>-deadletter`
  (create-if-not-exists, same deletion mode, partitions and schemas as its input topic);
* resources and errors merge agent -> pipeline -> defaults (parallelism 1, size 1, no disk;
  retries 0, on-failure fail).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from kernel_runtime.manifest.catalogue import get_agent_type
from kernel_runtime.manifest.models.pipeline import (
    DEFAULT_MODULE,
    AgentStep,
    ErrorsSpec,
    Pipeline,
    ResourcesSpec,
    TopicDefinition,
)
from kernel_runtime.manifest.problems import Location

CREATE_IF_NOT_EXISTS = "create-if-not-exists"


class ResolvedAgent(BaseModel):
    """One agent as LangStream plans it: final id, topics (implicit ones too), merged specs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    name: str | None
    type: str | None
    component: str | None
    input: str | None
    output: str | None
    input_implicit: bool
    output_implicit: bool
    configuration: dict[str, Any]
    resources: ResourcesSpec
    errors: ErrorsSpec
    pipeline_id: str
    module: str
    location: Location
    index: int = 0
    id_generated: bool = False
    dead_letter_topic: str | None = None


@dataclass
class Graph:
    agents: list[ResolvedAgent] = field(default_factory=list)
    topics: dict[str, TopicDefinition] = field(default_factory=dict)
    # (pipeline file, step index) of agents followed by another agent but without an output
    missing_outputs: list[tuple[ResolvedAgent, ResolvedAgent]] = field(default_factory=list)


def _composable_flag(agent: ResolvedAgent) -> bool:
    """`configuration.composable` compared as LangStream does: `value + ""` equals "true"."""
    value = agent.configuration.get("composable", "true")
    text = "true" if value is True else "false" if value is False else str(value)
    return text == "true"


def fuses_with_previous(previous: ResolvedAgent | None, agent: ResolvedAgent) -> bool:
    """Would LangStream merge `agent` into the executor of `previous`?

    BasicClusterRuntime.buildAgent + ComposableAgentExecutionPlanOptimiser.canMerge: joined
    by an implicit topic, both composable types, neither a service, `composable` not false,
    same parallelism and size, equal errors specs. Merged agents run in the first agent's
    pod, so only the first id becomes a Kubernetes resource name.
    """
    if previous is None or (previous.pipeline_id, previous.module) != (
        agent.pipeline_id,
        agent.module,
    ):
        return False
    if not (previous.output_implicit and agent.input_implicit and previous.output == agent.input):
        return False
    for step in (previous, agent):
        entry = get_agent_type(step.type or "")
        if entry is None or not entry.composable or entry.component == "service":
            return False
        if not _composable_flag(step):
            return False
    same_resources = (previous.resources.parallelism, previous.resources.size) == (
        agent.resources.parallelism,
        agent.resources.size,
    )
    return same_resources and previous.errors == agent.errors


def executor_heads(agents: list[ResolvedAgent]) -> list[ResolvedAgent]:
    """The agents that start an executor (pod) once composable agents are merged."""
    heads: list[ResolvedAgent] = []
    previous: ResolvedAgent | None = None
    for agent in agents:
        if not fuses_with_previous(previous, agent):
            heads.append(agent)
        previous = agent
    return heads


def auto_agent_id(module: str, pipeline_id: str, agent_type: str | None, n: int) -> str:
    prefix = "" if module == DEFAULT_MODULE else f"{module}-"
    return f"{prefix}{pipeline_id}-{agent_type}-{n}"


def declared_topic(topic: TopicDefinition) -> TopicDefinition:
    """A declared topic with LangStream's constructor defaults (modes 'none')."""
    return topic.model_copy(
        update={
            "creation_mode": topic.creation_mode or "none",
            "deletion_mode": topic.deletion_mode or "none",
            "implicit": False,
        }
    )


def implicit_topic(name: str) -> TopicDefinition:
    return TopicDefinition(
        name=name,
        creation_mode=CREATE_IF_NOT_EXISTS,
        deletion_mode="none",
        partitions=0,
        options={},
        config={},
        implicit=True,
    )


def dead_letter_topic(name: str, source: TopicDefinition | None) -> TopicDefinition:
    return TopicDefinition(
        name=name,
        creation_mode=CREATE_IF_NOT_EXISTS,
        deletion_mode=(source.deletion_mode if source else None) or "none",
        partitions=source.partitions if source else 0,
        key_schema=source.key_schema if source else None,
        value_schema=source.value_schema if source else None,
        options={},
        config={},
        implicit=source.implicit if source else True,
    )


def _merged(step: AgentStep, pipeline: Pipeline) -> tuple[ResourcesSpec, ErrorsSpec]:
    resources = pipeline.effective_resources
    if step.resources is not None:
        resources = step.resources.with_defaults_from(resources)
    errors = pipeline.effective_errors
    if step.errors is not None:
        errors = step.errors.with_defaults_from(errors)
    return resources, errors


def build_graph(pipelines: Iterable[Pipeline], lines: dict[str, Any] | None = None) -> Graph:
    """Agents in pipeline order and all topics (declared first, then implicit, dead-letter)."""
    graph = Graph()
    pipelines = list(pipelines)
    for pipeline in pipelines:
        for topic in pipeline.topics:
            if topic.name is not None and topic.name not in graph.topics:
                graph.topics[topic.name] = declared_topic(topic)
    for pipeline in pipelines:
        module = pipeline.module_id
        counter = 1
        previous: ResolvedAgent | None = None
        for index, step in enumerate(pipeline.steps):
            generated = step.id is None
            agent_id = step.id
            if agent_id is None:
                agent_id = auto_agent_id(module, pipeline.pipeline_id, step.type, counter)
                counter += 1
            resources, errors = _merged(step, pipeline)
            entry = get_agent_type(step.type) if step.type else None
            table = (lines or {}).get(pipeline.file) or {}
            line = table.get(("pipeline", index)) or table.get(("pipeline",))
            agent = ResolvedAgent(
                id=agent_id,
                name=step.name,
                type=step.type,
                component=entry.component if entry else None,
                input=step.input,
                output=step.output,
                input_implicit=False,
                output_implicit=False,
                configuration=dict(step.configuration),
                resources=resources,
                errors=errors,
                pipeline_id=pipeline.pipeline_id,
                module=module,
                location=Location(pipeline.file, line),
                index=index,
                id_generated=generated,
            )
            if previous is not None and step.input is None:
                if previous.output is None:
                    topic = f"agent-{agent_id}-input"
                    previous.output, previous.output_implicit = topic, True
                    graph.topics.setdefault(topic, implicit_topic(topic))
                agent.input = previous.output
                agent.input_implicit = previous.output_implicit
            elif previous is not None and previous.output is None:
                graph.missing_outputs.append((previous, agent))
            if errors.on_failure == "dead-letter" and agent.input is not None:
                name = f"{agent.input}-deadletter"
                agent.dead_letter_topic = name
                graph.topics.setdefault(
                    name, dead_letter_topic(name, graph.topics.get(agent.input))
                )
            graph.agents.append(agent)
            previous = agent
    return graph
