"""Processors and sinks reading a topic: poll a batch, run it through the stages, write, commit.

One loop per kind of broker: in turn on the embedded broker, overlapped on a network broker
(Kafka), where round trips are worth hiding. Both share the per-batch steps below, so a batch's
offsets are committed only after its outputs are acknowledged, whichever loop runs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kernel_runtime.agents.failure_policy import (
    ExecutorFailed,
    apply_failure_policy,
    failure_message,
)
from kernel_runtime.agents.stages import Item
from kernel_runtime.brokers.base import TopicPartition
from kernel_runtime.records import StreamRecord

if TYPE_CHECKING:
    from kernel_runtime.agents.executor import AgentExecutor
    from kernel_runtime.agents.replica import Replica


async def run_consumer(executor: AgentExecutor, replica: Replica) -> None:
    if executor.plan.input_topic is None:
        raise ExecutorFailed(f"agent {executor.id!r} has no input topic")
    consumer = executor.broker.consumer([executor.plan.input_topic], executor.group_id)
    try:
        if getattr(executor.broker, "embedded", False):
            await _consume_in_turn(executor, replica, consumer)
        else:
            await _consume_overlapped(executor, replica, consumer)
    finally:
        await consumer.close()


async def _poll(executor: AgentExecutor, consumer: Any) -> list[StreamRecord]:
    return await consumer.poll(executor.options.batch_size, executor.options.poll_timeout)


async def _consume_in_turn(executor: AgentExecutor, replica: Replica, consumer: Any) -> None:
    """Poll, process, write, commit, in turn: the embedded broker has no round trips to
    hide, and overlapping would only add contention for the GIL with agents' threads."""
    while not executor.stopping:
        batch = await _poll(executor, consumer)
        if batch:
            outputs, offsets, failure = await _process(executor, replica, batch)
            await _write_and_commit(replica, consumer, outputs, offsets)
            if failure:
                raise ExecutorFailed(failure)


async def _consume_overlapped(executor: AgentExecutor, replica: Replica, consumer: Any) -> None:
    """A network broker: the next poll and the writing and committing of the batch before
    overlap with processing, so round trips and thread hand-offs do not add up.

    Pipelined one deep: a batch's outputs are written only once the batch before is
    acknowledged and committed, which keeps output order, and commits stay in offset order
    (at-least-once as in turn). Once stopping, what was polled already is still processed
    and committed.
    """
    in_flight: asyncio.Future | None = None
    polling: asyncio.Future | None = asyncio.ensure_future(_poll(executor, consumer))
    try:
        while polling is not None:
            batch = await polling
            polling = (
                None if executor.stopping else asyncio.ensure_future(_poll(executor, consumer))
            )
            if not batch:
                continue
            outputs, offsets, failure = await _process(executor, replica, batch, in_flight)
            in_flight = asyncio.ensure_future(
                _write_and_commit(replica, consumer, outputs, offsets)
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
    executor: AgentExecutor,
    replica: Replica,
    batch: list[StreamRecord],
    previous: asyncio.Future | None = None,
) -> tuple[list[Item], dict[TopicPartition, int], str | None]:
    """Outputs to write, offsets to commit after them, and the failure that stops the
    executor (on-failure: fail) if any. `previous`, the batch before still being written,
    is awaited before failures are handled, so dead letters keep their order."""
    executor.stats.received += len(batch)
    outputs, failures = await replica.run_stages(batch)
    if previous is not None:
        await previous
    blocked: dict[int, int] = {}
    if failures:
        outputs, blocked = await apply_failure_policy(executor, batch, outputs, failures)
    failure = failure_message(failures) if blocked else None
    return outputs, _commit_offsets(batch, blocked), failure


async def _write_and_commit(
    replica: Replica,
    consumer: Any,
    outputs: list[Item],
    offsets: dict[TopicPartition, int],
) -> None:
    await replica.emit(outputs)
    await consumer.commit(offsets)


def _commit_offsets(
    batch: Sequence[StreamRecord], blocked: dict[int, int]
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
