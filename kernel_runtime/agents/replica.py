"""One replica of an executor: its agent instances, the stages that run them, and its writes.

Each replica (`resources.parallelism`) has its own agent instances and its own consumer in the
group `langstream-agent-<executor id>`, the group id LangStream uses on Kafka.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from kernel_runtime.agents.context import RuntimeAgentContext, TopicProducer
from kernel_runtime.agents.factory import call_agent_method, create_agent
from kernel_runtime.agents.stages import Failure, Item, RetryPolicy, Stage
from kernel_runtime.records import StreamRecord

if TYPE_CHECKING:
    from kernel_runtime.agents.executor import AgentExecutor

# the executor's parts log as one component, under the executor's name
log = logging.getLogger("kernel_runtime.agents.executor")


class Replica:
    """One consumer and one set of agent instances of an executor."""

    def __init__(self, executor: AgentExecutor, index: int) -> None:
        self.executor = executor
        self.index = index
        self.instances: list[Any] = []
        self.stages: list[Stage] = []
        self.task: asyncio.Task | None = None

    async def init_agents(self) -> None:
        ex = self.executor
        for agent in ex.plan.agents:
            context = RuntimeAgentContext(
                agent_id=agent.id,
                application_id=ex.application_id,
                tenant=ex.tenant,
                state_directory=ex.state_directory(agent.id, self.index)
                if agent.resources.disk and agent.resources.disk.enabled
                else None,
                topic_producer=TopicProducer(ex.producer, asyncio.get_running_loop()),
            )
            self.instances.append(await create_agent(agent, ex.app, context, reload=ex.reload))
        retry = RetryPolicy(
            ex.plan.first.errors.retries or 0, ex.options.initial_backoff, ex.options.max_backoff
        )
        first_stage = 1 if ex.plan.kind in ("source", "service") else 0
        for agent, instance in list(zip(ex.plan.agents, self.instances, strict=True))[first_stage:]:
            self.stages.append(
                Stage(
                    agent.id,
                    instance,
                    sink=agent.component == "sink",
                    retry=retry,
                    pool=ex.pool,
                    concurrency=ex.options.concurrency,
                )
            )

    async def close_agents(self) -> None:
        for instance in self.instances:
            try:
                await call_agent_method(instance, "close")
            except Exception as error:  # noqa: BLE001 - closing must not hide the real outcome
                log.warning("agent close() raised: %r", error)

    async def run_stages(
        self, records: list[StreamRecord]
    ) -> tuple[list[Item], dict[int, Failure]]:
        """Pass a batch through the chain; records routed to a `destination` leave it at once,
        as in LangStream, where a dispatched record skips the agents after the dispatcher."""
        items: list[Item] = list(enumerate(records))
        routed: list[Item] = []
        failures: dict[int, Failure] = {}
        for position, stage in enumerate(self.stages):
            if not items:
                break
            if position and any(record.destination for _, record in items):
                routed += [item for item in items if item[1].destination]
                items = [item for item in items if not item[1].destination]
            items, stage_failures = await stage.run(items)
            failures.update(stage_failures)
        if routed:
            items = sorted(routed + items, key=lambda item: item[0])
        return items, failures

    async def emit(self, outputs: list[Item]) -> None:
        """Write outputs to their topics and wait for the acknowledgements."""
        default_topic = self.executor.plan.output_topic
        by_topic: dict[str, list[StreamRecord]] = defaultdict(list)
        for _, record in outputs:
            topic = record.destination or default_topic
            if topic:
                by_topic[topic].append(record)
        for topic, records in by_topic.items():
            await self.executor.producer.send_batch(topic, records)
            self.executor.stats.emitted += len(records)
