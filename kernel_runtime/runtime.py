"""Run a LangStream application on a broker: plan executors, create topics, start, stop.

`ApplicationRuntime` is used from one asyncio loop (the loop that runs the broker). The notebook
layer runs that loop in a daemon thread and submits coroutines to it; the headless runner runs
it in the main thread.

    async with ApplicationRuntime(load_application(path).resolved()) as runtime:
        await runtime.send("input-topic", "hello")
        print(await runtime.collect("output-topic", count=1, timeout=5))
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_runtime import gc_tuning
from kernel_runtime.agents.executor import AgentExecutor, ExecutorOptions
from kernel_runtime.agents.factory import runnable_types
from kernel_runtime.brokers.base import Broker, TopicPartition, TopicSpec
from kernel_runtime.manifest import Application
from kernel_runtime.plan import ExecutorPlan, plan_executors
from kernel_runtime.records import Headers, StreamRecord


def default_state_root() -> Path:
    """Where disk-enabled agents keep state: $LS_WORKBENCH_STATE_DIR or ./.ls-workbench/state."""
    return Path(os.environ.get("LS_WORKBENCH_STATE_DIR", Path.cwd() / ".ls-workbench" / "state"))


@dataclass
class RuntimeOptions:
    tenant: str = "default"
    application_id: str | None = None
    state_root: Path = field(default_factory=default_state_root)
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)
    worker_threads: int = 8


def _fingerprint(plan: ExecutorPlan) -> str:
    """What makes two plans run the same way: ids, types, topics, configuration, specs."""
    return repr(
        [
            (a.id, a.type, a.input, a.output, a.configuration, a.resources, a.errors)
            for a in plan.agents
        ]
    )


class UnrunnableApplication(ValueError):
    """The application is valid LangStream but uses agents this runtime cannot run."""


class ApplicationRuntime:
    def __init__(
        self,
        app: Application,
        broker: Broker | None = None,
        options: RuntimeOptions | None = None,
    ) -> None:
        self.app = app
        self.options = options or RuntimeOptions()
        self._owns_broker = broker is None
        if broker is None:
            from kernel_runtime.brokers.memory import MemoryBroker

            broker = MemoryBroker()
        self.broker = broker
        self.plans = plan_executors(app)
        self.executors: dict[str, AgentExecutor] = {}
        self.pool = ThreadPoolExecutor(self.options.worker_threads, thread_name_prefix="agent")
        self._started = False
        self._gc_tuned = False

    @property
    def application_id(self) -> str:
        return self.options.application_id or self.app.app_dir.name

    def select(self, agent_ids: Collection[str] | None = None) -> list[ExecutorPlan]:
        """The executors to run: all, or those containing the given agent ids."""
        if not agent_ids:
            return list(self.plans)
        known = {agent_id for plan in self.plans for agent_id in plan.agent_ids}
        unknown = sorted(set(agent_ids) - known)
        if unknown:
            raise UnrunnableApplication(
                f"unknown agent id(s) {', '.join(unknown)}; agents of this application: "
                f"{', '.join(sorted(known))}"
            )
        return [plan for plan in self.plans if set(plan.agent_ids) & set(agent_ids)]

    def check_runnable(self, plans: list[ExecutorPlan]) -> None:
        runnable = runnable_types()
        problems = [
            f"agent {agent.id!r} ({agent.location}) has type {agent.type!r}, which ls-workbench "
            "cannot run yet"
            for plan in plans
            for agent in plan.agents
            if agent.type not in runnable
        ]
        if problems:
            raise UnrunnableApplication(
                "\n".join(problems)
                + "\nThese agents are valid LangStream and export unchanged to a LangStream "
                f"cluster. Runnable here: {', '.join(sorted(runnable))}"
            )

    async def create_topics(self) -> None:
        embedded = getattr(self.broker, "embedded", False)
        for name, topic in self.app.topics().items():
            mode = topic.creation_mode or "none"
            if mode == "none" and not embedded:
                if not await self.broker.topic_exists(name):
                    raise UnrunnableApplication(
                        f"topic {name!r} has creation-mode: none but does not exist on the "
                        "broker; create it, or set creation-mode: create-if-not-exists"
                    )
                continue
            await self.broker.create_topic(
                TopicSpec(
                    name=name,
                    partitions=topic.partitions or 1,
                    creation_mode="create-if-not-exists",
                    deletion_mode=topic.deletion_mode or "none",
                    options=dict(topic.options or {}),
                    config=dict(topic.config or {}),
                )
            )

    async def create_assets(self) -> None:
        """`jdbc-table` assets marked create-if-not-exists (LangStream deploys assets first)."""
        if any(pipeline.assets for pipeline in self.app.pipelines):
            from kernel_runtime.agents.ai.assets import deploy_assets

            await deploy_assets(self.app)

    async def start(self, agent_ids: Collection[str] | None = None) -> None:
        """Start the selected executors; if any fails to init, none is left running."""
        plans = self.select(agent_ids)
        self.check_runnable(plans)
        if self._owns_broker and not self._started:
            await self.broker.start()
        self._started = True
        await self.create_topics()
        await self.create_assets()
        started: list[AgentExecutor] = []
        try:
            for plan in plans:
                executor = self._executor(plan)
                await executor.start()
                started.append(executor)
        except BaseException:
            for executor in started:
                await executor.stop()
            raise
        for executor in started:
            self.executors[executor.id] = executor
        if not self._gc_tuned:
            gc_tuning.acquire()
            self._gc_tuned = True

    def _executor(self, plan: ExecutorPlan, *, reload: bool = False) -> AgentExecutor:
        return AgentExecutor(
            plan,
            self.app,
            self.broker,
            pool=self.pool,
            state_root=self.options.state_root,
            tenant=self.options.tenant,
            application_id=self.application_id,
            options=self.options.executor,
            reload=reload,
        )

    async def update(self, app: Application, *, reload: Collection[str] = ()) -> dict[str, str]:
        """Move the running application to `app`, swapping only what changed.

        Executors whose agents changed (definition, or code: ids in `reload`) are replaced: the
        new agents are created and `init`-ed first, and if any fails nothing changes and the
        error propagates. Then each old executor stops after its batch in flight is committed
        and its replacement resumes from the committed offset, so no record is lost.
        Returns what happened per executor id: started, swapped, stopped or kept.
        """
        plans = plan_executors(app)
        self.check_runnable(plans)
        reload = set(reload)
        old = dict(self.executors)
        prepared: list[AgentExecutor] = []
        outcome: dict[str, str] = {}
        try:
            for plan in plans:
                current = old.get(plan.id)
                changed = current is None or _fingerprint(current.plan) != _fingerprint(plan)
                if not changed and not reload & set(plan.agent_ids):
                    outcome[plan.id] = "kept"
                    continue
                executor = self._executor(plan, reload=bool(reload & set(plan.agent_ids)))
                executor.app = app
                await executor.prepare()
                prepared.append(executor)
                outcome[plan.id] = "started" if current is None else "swapped"
        except BaseException:
            for executor in prepared:
                await executor.discard()
            raise
        self.app = app
        self.plans = plans
        await self.create_topics()
        await self.create_assets()
        for executor_id, executor in old.items():
            if outcome.get(executor_id, "stopped") != "kept":
                await executor.stop()
                del self.executors[executor_id]
                outcome.setdefault(executor_id, "stopped")
        for executor in prepared:
            executor.launch()
            self.executors[executor.id] = executor
        return outcome

    async def stop(self) -> None:
        """Stop every executor after its batch in flight is committed, then the owned broker."""
        await asyncio.gather(*(executor.stop() for executor in self.executors.values()))
        if self._owns_broker and self._started:
            await self.broker.close()
        self._started = False
        if self._gc_tuned:
            gc_tuning.release()
            self._gc_tuned = False
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def wait(self) -> None:
        """Until every executor ended; raises the first failure (the others keep running)."""
        await asyncio.gather(*(executor.wait() for executor in self.executors.values()))

    async def __aenter__(self) -> ApplicationRuntime:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def status(self) -> dict[str, Any]:
        return {
            executor_id: {
                "agents": executor.plan.agent_ids,
                "input": executor.plan.input_topic,
                "output": executor.plan.output_topic,
                **vars(executor.stats),
            }
            for executor_id, executor in self.executors.items()
        }

    def failures(self) -> dict[str, str]:
        return {
            executor_id: executor.stats.last_error or "failed"
            for executor_id, executor in self.executors.items()
            if executor.stats.state == "failed"
        }

    # -- the bounded run: what notebooks and tests use -----------------------------------------
    async def send(
        self, topic: str, value: Any, key: Any = None, headers: Headers | dict | None = None
    ) -> None:
        if isinstance(headers, dict):
            headers = list(headers.items())
        await self.broker.producer().send(topic, StreamRecord(value, key, headers or []))

    async def collect(
        self,
        topic: str,
        count: int | None = None,
        timeout: float | None = 5.0,
        *,
        from_offsets: dict[int, int] | None = None,
    ) -> list[StreamRecord]:
        """Read `topic` from the start (or `from_offsets`) without committing for any group.

        Returns once `count` records arrived or `timeout` seconds passed, whichever is first.
        """
        consumer = self.broker.consumer([topic], None, position="earliest")
        for partition, offset in (from_offsets or {}).items():
            consumer.seek(TopicPartition(topic, partition), offset)
        records: list[StreamRecord] = []
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while count is None or len(records) < count:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                wanted = 1000 if count is None else count - len(records)
                records += await consumer.poll(wanted, min(remaining or 0.2, 0.2))
        finally:
            await consumer.close()
        return records
