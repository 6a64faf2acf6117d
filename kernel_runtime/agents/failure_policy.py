"""What an executor does with a record that still fails after its retries: its `errors` spec.

Failures follow the executor's `errors` spec: `retries` attempts per record with backoff, then
`skip` (commit, count), `dead-letter` (write the input to `<input>-deadletter` with the error in
headers, commit) or `fail` (stop, keep the offset of the failed record so it is read again).

The retries happen in the stages; here is what the failures left after them mean for records read
from a topic (which outputs to write, where reading must resume) and how `fail` is reported. The
source loop applies the same spec to a source's records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kernel_runtime.agents.stages import Failure, Item
from kernel_runtime.records import StreamRecord

if TYPE_CHECKING:
    from kernel_runtime.agents.executor import AgentExecutor

ERROR_HEADERS = (
    "langstream-error-agent",
    "langstream-error-type",
    "langstream-error-message",
    "langstream-error-attempts",
)


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


async def apply_failure_policy(
    executor: AgentExecutor,
    batch: list[StreamRecord],
    outputs: list[Item],
    failures: dict[int, Failure],
) -> tuple[list[Item], dict[int, int]]:
    """Outputs still to write, and per partition the offset at which reading must resume."""
    policy = executor.plan.first.errors.on_failure or "fail"
    executor.stats.failed += len(failures)
    for index, failure in failures.items():
        executor.stats.record_error(
            f"agent {failure.agent_id!r} failed record at offset {batch[index].offset} "
            f"after {failure.attempts} attempt(s): {type(failure.error).__name__}: {failure.error}"
        )
    if policy == "skip":
        executor.stats.skipped += len(failures)
        return outputs, {}
    if policy == "dead-letter" and executor.plan.dead_letter_topic:
        letters = [dead_letter_record(batch[i], f) for i, f in sorted(failures.items())]
        await executor.producer.send_batch(executor.plan.dead_letter_topic, letters)
        executor.stats.dead_lettered += len(letters)
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


def failure_message(failures: dict[int, Failure]) -> str:
    index, failure = min(failures.items())
    return (
        f"agent {failure.agent_id!r} stopped (errors.on-failure: fail) after "
        f"{failure.attempts} attempt(s): {type(failure.error).__name__}: {failure.error}. "
        "The record stays uncommitted and is read again on restart; set errors.retries, "
        "or on-failure: skip | dead-letter to keep going."
    )
