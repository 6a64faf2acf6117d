"""Run one executor (a chain of fused agents) on a broker, with at-least-once delivery.

An executor reads a batch (from its input topic, or from a source agent), passes it through its
agents stage by stage, writes every output and waits for the broker's acknowledgement, and only
then commits the inputs (or calls the source's `commit`). Whatever happens after a read and
before that commit — an error, a stop, a crash — the input is read again: nothing is lost,
duplicates are possible.

Failures follow the executor's `errors` spec: `retries` attempts per record with backoff, then
`skip` (commit, count), `dead-letter` (write the input to `<input>-deadletter` with the error in
headers, commit) or `fail` (stop, keep the offset of the failed record so it is read again).

Each replica (`resources.parallelism`) has its own agent instances and its own consumer in the
group `langstream-agent-<executor id>`, the group id LangStream uses on Kafka.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langstream import Record

from kernel_runtime.agents.context import RuntimeAgentContext, TopicProducer
from kernel_runtime.agents.factory import call_agent_method, create_agent
from kernel_runtime.agents.stages import Failure, Item, RetryPolicy, Stage
from kernel_runtime.brokers.base import Broker, Producer, TopicPartition
from kernel_runtime.manifest import Application
from kernel_runtime.plan import ExecutorPlan
from kernel_runtime.records import StreamRecord, to_records

log = logging.getLogger(__name__)

ERROR_HEADERS = (
    "langstream-error-agent",
    "langstream-error-type",
    "langstream-error-message",
    "langstream-error-attempts",
)


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


class ExecutorFailed(RuntimeError):
    """An agent failed a record with `on-failure: fail`; the executor stopped."""


def dead_letter_record(record: StreamRecord, failure: Failure) -> StreamRecord:
    headers = [h for h in record.headers() if h[0] not in ERROR_HEADERS]
    headers += [
        ("langstream-error-agent", failure.agent_id),
        ("langstream-error-type", type(failure.error).__name__),
        ("langstream-error-message", str(failure.error)),
        ("langstream-error-attempts", str(failure.attempts)),
    ]
    return StreamRecord(record.value(), record.key(), headers, record.origin(), record.timestamp())


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
            "source": self._run_source,
            "service": self._run_service,
        }.get(self.plan.kind, self._run_consumer)
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

    async def _guard(self, replica: Replica, runner: Any) -> None:
        try:
            await runner(replica)
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

    # -- consumers: processors and sinks reading a topic ------------------------------------
    async def _run_consumer(self, replica: Replica) -> None:
        if self.plan.input_topic is None:
            raise ExecutorFailed(f"agent {self.id!r} has no input topic")
        consumer = self.broker.consumer([self.plan.input_topic], self.group_id)
        try:
            if getattr(self.broker, "embedded", False):
                await self._consume_in_turn(replica, consumer)
            else:
                await self._consume_overlapped(replica, consumer)
        finally:
            await consumer.close()

    async def _poll(self, consumer: Any) -> list[StreamRecord]:
        return await consumer.poll(self.options.batch_size, self.options.poll_timeout)

    async def _consume_in_turn(self, replica: Replica, consumer: Any) -> None:
        """Poll, process, write, commit, in turn: the embedded broker has no round trips to
        hide, and overlapping would only add contention for the GIL with agents' threads."""
        while not self.stopping:
            batch = await self._poll(consumer)
            if batch:
                outputs, offsets, failure = await self._process(replica, batch)
                await self._write_and_commit(replica, consumer, outputs, offsets)
                if failure:
                    raise ExecutorFailed(failure)

    async def _consume_overlapped(self, replica: Replica, consumer: Any) -> None:
        """A network broker: the next poll and the writing and committing of the batch before
        overlap with processing, so round trips and thread hand-offs do not add up.

        Pipelined one deep: a batch's outputs are written only once the batch before is
        acknowledged and committed, which keeps output order, and commits stay in offset order
        (at-least-once as in turn). Once stopping, what was polled already is still processed
        and committed.
        """
        in_flight: asyncio.Future | None = None
        polling: asyncio.Future | None = asyncio.ensure_future(self._poll(consumer))
        try:
            while polling is not None:
                batch = await polling
                polling = None if self.stopping else asyncio.ensure_future(self._poll(consumer))
                if not batch:
                    continue
                outputs, offsets, failure = await self._process(replica, batch, in_flight)
                in_flight = asyncio.ensure_future(
                    self._write_and_commit(replica, consumer, outputs, offsets)
                )
                # let it serialise and hand over its records now, up to waiting for the broker,
                # rather than compete for the GIL with the next batch's agents in threads
                await asyncio.sleep(0)
                if failure:
                    await in_flight
                    raise ExecutorFailed(failure)
        finally:
            if polling is not None:  # failed: the records of this poll were never processed
                polling.cancel()
                await asyncio.gather(polling, return_exceptions=True)
            if in_flight is not None:
                await in_flight  # the last batch is written and committed before leaving

    async def _process(
        self,
        replica: Replica,
        batch: list[StreamRecord],
        previous: asyncio.Future | None = None,
    ) -> tuple[list[Item], dict[TopicPartition, int], str | None]:
        """Outputs to write, offsets to commit after them, and the failure that stops the
        executor (on-failure: fail) if any. `previous`, the batch before still being written,
        is awaited before failures are handled, so dead letters keep their order."""
        self.stats.received += len(batch)
        outputs, failures = await replica.run_stages(batch)
        if previous is not None:
            await previous
        blocked: dict[int, int] = {}
        if failures:
            outputs, blocked = await self._apply_failure_policy(batch, outputs, failures)
        failure = self._failure_message(failures) if blocked else None
        return outputs, self._commit_offsets(batch, blocked), failure

    async def _write_and_commit(
        self,
        replica: Replica,
        consumer: Any,
        outputs: list[Item],
        offsets: dict[TopicPartition, int],
    ) -> None:
        await replica.emit(outputs)
        await consumer.commit(offsets)

    def _commit_offsets(
        self, batch: Sequence[StreamRecord], blocked: dict[int, int]
    ) -> dict[TopicPartition, int]:
        """Per partition, one past the last offset done (a batch is in offset order per partition)."""
        last: dict[int, int] = {}
        if blocked:
            for record in batch:
                partition = record.partition
                if partition in blocked and record.offset >= blocked[partition]:
                    continue
                last[partition] = record.offset
        else:
            for record in batch:
                last[record.partition] = record.offset
        topic = batch[0].topic or ""
        return {TopicPartition(topic, partition): offset + 1 for partition, offset in last.items()}

    async def _apply_failure_policy(
        self, batch: list[StreamRecord], outputs: list[Item], failures: dict[int, Failure]
    ) -> tuple[list[Item], dict[int, int]]:
        """Outputs still to write, and per partition the offset at which reading must resume."""
        policy = self.plan.first.errors.on_failure or "fail"
        self.stats.failed += len(failures)
        for index, failure in failures.items():
            self.stats.record_error(
                f"agent {failure.agent_id!r} failed record at offset {batch[index].offset} "
                f"after {failure.attempts} attempt(s): {type(failure.error).__name__}: {failure.error}"
            )
        if policy == "skip":
            self.stats.skipped += len(failures)
            return outputs, {}
        if policy == "dead-letter" and self.plan.dead_letter_topic:
            letters = [dead_letter_record(batch[i], f) for i, f in sorted(failures.items())]
            await self.producer.send_batch(self.plan.dead_letter_topic, letters)
            self.stats.dead_lettered += len(letters)
            return outputs, {}
        blocked: dict[int, int] = {}
        for index in sorted(failures):
            record = batch[index]
            blocked.setdefault(record.partition or 0, record.offset or 0)
        kept = [
            (index, out)
            for index, out in outputs
            if not (
                batch[index].partition in blocked
                and (batch[index].offset or 0) >= blocked[batch[index].partition or 0]
            )
        ]
        return kept, blocked

    def _failure_message(self, failures: dict[int, Failure]) -> str:
        index, failure = min(failures.items())
        return (
            f"agent {failure.agent_id!r} stopped (errors.on-failure: fail) after "
            f"{failure.attempts} attempt(s): {type(failure.error).__name__}: {failure.error}. "
            "The record stays uncommitted and is read again on restart; set errors.retries, "
            "or on-failure: skip | dead-letter to keep going."
        )

    # -- sources -------------------------------------------------------------------------------
    async def _run_source(self, replica: Replica) -> None:
        source = replica.instances[0]
        agent_id = self.plan.first.id
        idle = 0
        while not self.stopping:
            read = list(await call_read(source) or [])
            records = to_records(read, agent_id=agent_id)
            # commit() gets the user's own record objects; dicts and tuples as built records
            originals = [
                o if isinstance(o, Record) else r for o, r in zip(read, records, strict=True)
            ]
            if not records:
                idle = min(idle + 1, 5)
                await asyncio.sleep(self.options.idle_source_backoff * idle / 5)
                continue
            idle = 0
            self.stats.received += len(records)
            outputs, failures = await replica.run_stages(records)
            policy = self.plan.first.errors.on_failure or "fail"
            if failures:
                self.stats.failed += len(failures)
                for failure in failures.values():
                    self.stats.record_error(f"agent {failure.agent_id!r}: {failure.error!r}")
            if failures and policy == "fail":
                first = min(failures)
                outputs = [(i, out) for i, out in outputs if i < first]
                await replica.emit(outputs)
                await commit_source(source, originals[:first])
                raise ExecutorFailed(self._failure_message(failures))
            await replica.emit(outputs)
            done = [r for i, r in enumerate(originals) if i not in failures]
            if policy == "skip":
                self.stats.skipped += len(failures)
                done = originals
            await commit_source(source, done)
            if policy == "dead-letter":
                # LangStream hands the failure to the source, whose default re-raises
                for index, failure in sorted(failures.items()):
                    await call_agent_method(
                        source, "permanent_failure", originals[index], failure.error
                    )
                    self.stats.dead_lettered += 1

    # -- services ------------------------------------------------------------------------------
    async def _run_service(self, replica: Replica) -> None:
        """`main()` runs in its own thread until it returns, raises, or the executor stops."""
        service = replica.instances[0]
        main = run_in_daemon_thread(service.main, name=f"service-{self.id}-{replica.index}")
        stop = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait([main, stop], return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if main.done():
            main.result()
        # else: a thread cannot be interrupted; close() (called next) tells the service to end


def run_in_daemon_thread(function: Any, *, name: str) -> asyncio.Future:
    """Run a blocking, maybe endless call (a service's `main`) without tying up the loop's pool.

    A daemon thread does not keep the process alive, and the loop's shutdown does not wait for it.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def target() -> None:
        result, failure = None, None
        try:
            result = function()
        except BaseException as error:  # noqa: BLE001 - reported through the future
            failure = error
        try:
            loop.call_soon_threadsafe(settle, result, failure)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more

    threading.Thread(target=target, name=name, daemon=True).start()
    return future


async def call_read(source: Any) -> Any:
    """A source's `read()`: awaited when async, in a worker thread when sync."""
    if inspect.iscoroutinefunction(source.read):
        return await source.read()
    return await asyncio.to_thread(source.read)


async def commit_source(source: Any, records: list[StreamRecord]) -> None:
    """Tell the source its records were written, one `commit(record)` call each, as LangStream."""
    commit = getattr(source, "commit", None)
    if not records or not callable(commit):
        return
    if inspect.iscoroutinefunction(commit):
        for record in records:
            await commit(record)
        return

    def commit_all() -> None:
        for record in records:
            commit(record)

    await asyncio.to_thread(commit_all)
