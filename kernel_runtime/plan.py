"""Plan an application onto executors: which agents run together, reading and writing which topics.

LangStream fuses consecutive steps joined by an implicit topic into one executor when both are
composable, neither is a service, and their resources (parallelism, size) and errors specs match
(ComposableAgentExecutionPlanOptimiser). Fused agents pass records in memory; the implicit topic
between them is never used. We plan the same way so a pod layout here matches LangStream's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kernel_runtime.manifest import Application, ResolvedAgent


@dataclass
class ExecutorPlan:
    """One unit of execution: a chain of agents between an input and an output."""

    agents: list[ResolvedAgent]
    input_topic: str | None
    output_topic: str | None
    dead_letter_topic: str | None = None
    internal_topics: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The executor is named after its first agent, as LangStream names the pod."""
        return self.agents[0].id

    @property
    def agent_ids(self) -> list[str]:
        return [agent.id for agent in self.agents]

    @property
    def first(self) -> ResolvedAgent:
        return self.agents[0]

    @property
    def last(self) -> ResolvedAgent:
        return self.agents[-1]

    @property
    def parallelism(self) -> int:
        return self.first.resources.parallelism or 1

    @property
    def kind(self) -> str:
        """`source`, `service`, `sink` or `processor`: how the executor reads and ends."""
        if self.first.component in ("source", "service"):
            return self.first.component
        if self.last.component == "sink":
            return "sink"
        return "processor"


def _can_fuse(previous: ResolvedAgent, agent: ResolvedAgent, composable: set[str]) -> bool:
    if not (previous.output_implicit and agent.input_implicit and previous.output == agent.input):
        return False
    if previous.component == "service" or agent.component == "service":
        return False
    if previous.component == "sink" or agent.component == "source":
        return False
    if previous.type not in composable or agent.type not in composable:
        return False
    for step in (previous, agent):
        if str(step.configuration.get("composable", True)).lower() != "true":
            return False
    same_resources = (previous.resources.parallelism, previous.resources.size) == (
        agent.resources.parallelism,
        agent.resources.size,
    )
    same_errors = (previous.errors.retries, previous.errors.on_failure) == (
        agent.errors.retries,
        agent.errors.on_failure,
    )
    return same_resources and same_errors


def plan_executors(
    app: Application, composable_types: Sequence[str] | None = None
) -> list[ExecutorPlan]:
    """Group the application's agents into executors, in pipeline order."""
    from kernel_runtime.manifest.catalogue import AGENT_TYPES

    composable = (
        set(composable_types)
        if composable_types is not None
        else {name for name, agent_type in AGENT_TYPES.items() if agent_type.composable}
    )
    executors: list[ExecutorPlan] = []
    for agent in app.agents():
        current = executors[-1] if executors else None
        if current is not None and _can_fuse(current.last, agent, composable):
            current.internal_topics.append(agent.input)  # type: ignore[arg-type]
            current.agents.append(agent)
            current.output_topic = agent.output
            continue
        executors.append(
            ExecutorPlan(
                agents=[agent],
                input_topic=agent.input,
                output_topic=agent.output,
                dead_letter_topic=(
                    f"{agent.input}-deadletter"
                    if agent.input and agent.errors.on_failure == "dead-letter"
                    else None
                ),
            )
        )
    return executors
