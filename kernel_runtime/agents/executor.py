"""Run one executor (a chain of fused agents) on a broker, with at-least-once delivery.

An executor reads a batch (from its input topic, or from a source agent), passes it through its
agents stage by stage, writes every output and waits for the broker's acknowledgement, and only
then commits the inputs (or calls the source's `commit`). Whatever happens after a read and
before that commit — an error, a stop, a crash — the input is read again: nothing is lost,
duplicates are possible.

This module is the executor's lifecycle (prepare, launch, stop, wait) with its options and
counters. The parts it runs live beside it: `replica` (one set of agent instances and their
stages), `consumer_loop` (processors and sinks reading a topic), `source_loop`, `service_loop`,
and `failure_policy` (what `errors` does with a record that failed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from kernel_runtime.agents.consumer_loop import run_consumer
from kernel_runtime.agents.replica import Replica
from kernel_runtime.agents.service_loop import run_service
from kernel_runtime.agents.source_loop import run_source
from kernel_runtime.brokers.base import Broker, Producer
from kernel_runtime.manifest import Application
from kernel_runtime.plan import ExecutorPlan

log = logging.getLogger(__name__)

# what runs a replica until it ends: the consumer, source or service loop
Runner = Callable[["AgentExecutor", Replica], Awaitable[None]]


@dataclass
class ExecutorOptions:
    batch_size: int = 1000
    poll_timeout: float = 0.1
    concurrency: int = 4
    initial_backoff: float = 0.05
    max_backoff: float = 1.0
    idle_source_backoff: float = 0.05
    # replica indexes this process runs (default: all of 0..parallelism-1); a pod runs one
    replicas: list[int] | None = None


@dataclass
class ExecutorStats:
    state: str = "created"
    received: int = 0
    emitted: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    failed: int = 0
    last_error: str | None = None
    errors: list[str] = field(default_factory=list)

    def record_error(self, message: str) -> None:
        self.last_error = message
        self.errors = (self.errors + [message])[-20:]


class AgentExecutor:
    """Runs an `ExecutorPlan`: `start()` inits every replica's agents, then runs them."""

    def __init__(
        self,
        plan: ExecutorPlan,
        app: Application,
        broker: Broker,
        *,
        pool: Executor,
        state_root: Path,
        tenant: str = "default",
        application_id: str | None = None,
        options: ExecutorOptions | None = None,
        reload: bool = False,
    ) -> None:
        self.plan = plan
        self.app = app
        self.broker = broker
        self.pool = pool
        self.state_root = state_root
        self.tenant = tenant
        self.application_id = application_id or app.app_dir.name
        self.options = options or ExecutorOptions()
        self.reload = reload
        self.stats = ExecutorStats()
        self.producer: Producer = broker.producer()
        self.replicas: list[Replica] = []
        self._stopping = asyncio.Event()

    @property
    def id(self) -> str:
        return self.plan.id

    @property
    def group_id(self) -> str:
        return f"langstream-agent-{self.plan.id}"

    def state_directory(self, agent_id: str, replica: int) -> Path:
        """Survives restarts: keyed by tenant, application, agent and replica, like a PVC."""
        return self.state_root / self.tenant / self.application_id / agent_id / str(replica)

    async def start(self) -> None:
        """Create and init all replicas first, so a failing `init` starts nothing."""
        await self.prepare()
        self.launch()

    async def prepare(self) -> None:
        """Instantiate and `init` every replica's agents without reading anything yet.

        Separate from `launch` so a swap can init the new code while the old one still runs.
        """
        self.stats.state = "starting"
        indexes = self.options.replicas
        if indexes is None:
            indexes = list(range(self.plan.parallelism))
        replicas = [Replica(self, index) for index in indexes]
        try:
            for replica in replicas:
                await replica.init_agents()
        except BaseException:
            for replica in replicas:
                await replica.close_agents()
            self.stats.state = "failed"
            raise
        self.replicas = replicas

    def launch(self) -> None:
        self.stats.state = "running"
        runner = {
            "source": run_source,
            "service": run_service,
        }.get(self.plan.kind, run_consumer)
        for replica in self.replicas:
            replica.task = asyncio.create_task(
                self._guard(replica, runner), name=f"executor-{self.id}-{replica.index}"
            )

    async def discard(self) -> None:
        """Undo `prepare` when the executor will not be launched."""
        for replica in self.replicas:
            await replica.close_agents()
        self.replicas = []
        self.stats.state = "stopped"

    async def _guard(self, replica: Replica, runner: Runner) -> None:
        try:
            await runner(self, replica)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.stats.state = "failed"
            self.stats.record_error(str(error))
            log.error("executor %s replica %d failed: %s", self.id, replica.index, error)
            self._stopping.set()
            raise
        finally:
            await replica.close_agents()

    async def stop(self) -> None:
        """Finish the batch in flight (commit it), close the agents, leave the group."""
        self._stopping.set()
        tasks = [r.task for r in self.replicas if r.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self.stats.state != "failed":
            self.stats.state = "stopped"

    async def wait(self) -> None:
        """Until every replica ended; re-raises a replica's failure."""
        tasks = [r.task for r in self.replicas if r.task is not None]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def until_stopping(self) -> None:
        """Returns once the executor is stopping: `stop()` was called, or a replica failed."""
        await self._stopping.wait()
