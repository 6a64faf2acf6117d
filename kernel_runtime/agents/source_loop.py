"""Source agents: `read()` a batch, run it through the stages, write, then `commit` to the source.

A source has no offsets: its records are committed by calling its `commit(record)`, only once
their outputs are acknowledged, and a failure is handed to its `permanent_failure`, as LangStream
does.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import TYPE_CHECKING, Any

from langstream import Record

from kernel_runtime.agents.factory import call_agent_method
from kernel_runtime.agents.failure_policy import ExecutorFailed, failure_message
from kernel_runtime.records import StreamRecord, to_records

if TYPE_CHECKING:
    from kernel_runtime.agents.executor import AgentExecutor
    from kernel_runtime.agents.replica import Replica


async def run_source(executor: AgentExecutor, replica: Replica) -> None:
    source = replica.instances[0]
    agent_id = executor.plan.first.id
    idle = 0
    while not executor.stopping:
        read = list(await call_read(source) or [])
        records = to_records(read, agent_id=agent_id)
        # commit() gets the user's own record objects; dicts and tuples as built records
        originals = [o if isinstance(o, Record) else r for o, r in zip(read, records, strict=True)]
        if not records:
            idle = min(idle + 1, 5)
            await asyncio.sleep(executor.options.idle_source_backoff * idle / 5)
            continue
        idle = 0
        executor.stats.received += len(records)
        outputs, failures = await replica.run_stages(records)
        policy = executor.plan.first.errors.on_failure or "fail"
        if failures:
            executor.stats.failed += len(failures)
            for failure in failures.values():
                executor.stats.record_error(f"agent {failure.agent_id!r}: {failure.error!r}")
        if failures and policy == "fail":
            first = min(failures)
            outputs = [(i, out) for i, out in outputs if i < first]
            await replica.emit(outputs)
            await commit_source(source, originals[:first])
            raise ExecutorFailed(failure_message(failures))
        await replica.emit(outputs)
        done = [r for i, r in enumerate(originals) if i not in failures]
        if policy == "skip":
            executor.stats.skipped += len(failures)
            done = originals
        await commit_source(source, done)
        if policy == "dead-letter":
            # LangStream hands the failure to the source, whose default re-raises
            for index, failure in sorted(failures.items()):
                await call_agent_method(
                    source, "permanent_failure", originals[index], failure.error
                )
                executor.stats.dead_lettered += 1


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
