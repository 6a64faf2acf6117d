"""Apply one agent's `process` (or a sink's `write`) to a batch of records, with retries.

Why batches: calling a synchronous user method through a worker thread costs tens of
microseconds, more than the work itself. A stage hands the thread a whole batch and the thread
calls the method record by record, so the loop stays free and the hand-off is paid once per batch.

Order: records of one key are processed in their input order. Async agents may run several keys
at once (`concurrency` lanes, a key always in the same lane); sync agents run one record at a time,
as LangStream does, because user code is rarely thread-safe.

Items carry the index of the input record they descend from, so a failure can be traced back to
the record whose offset must not be committed.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from kernel_runtime.records import StreamRecord, to_record, to_records

Item = tuple[int, StreamRecord]


@dataclass(slots=True)
class Failure:
    """An input record that failed in some agent after all its attempts."""

    agent_id: str
    error: BaseException
    attempts: int


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 0
    initial_backoff: float = 0.05
    max_backoff: float = 1.0

    def backoff(self, attempt: int) -> float:
        return min(self.initial_backoff * (2**attempt), self.max_backoff)


def _outputs(result: Any, agent_id: str) -> list[StreamRecord]:
    if result is None:
        return []
    if not isinstance(result, (list, tuple)):
        raise TypeError(
            f"agent {agent_id!r}: process() must return a list of records, got "
            f"{type(result).__name__}; wrap a single result in a list: return [result]"
        )
    return to_records(result, agent_id=agent_id)


class Stage:
    """One agent applied to batches: a processor (`process`) or a sink (`write`)."""

    def __init__(
        self,
        agent_id: str,
        instance: Any,
        *,
        sink: bool,
        retry: RetryPolicy,
        pool: Executor,
        concurrency: int = 1,
    ) -> None:
        self.agent_id = agent_id
        self.instance = instance
        self.sink = sink
        self.retry = retry
        self.pool = pool
        self.method: Callable[..., Any] = instance.write if sink else instance.process
        self.is_async = inspect.iscoroutinefunction(self.method)
        self.concurrency = max(1, concurrency) if self.is_async else 1

    def _convert(self, result: Any) -> list[StreamRecord]:
        return [] if self.sink else _outputs(result, self.agent_id)

    async def run(self, items: list[Item]) -> tuple[list[Item], dict[int, Failure]]:
        """Outputs (as items) and the failures, by input index, of this batch."""
        if self.is_async:
            return await self._run_async(items)
        return await self._run_sync(items)

    # -- synchronous agents: one thread hand-off per batch ---------------------------------
    def _call_batch_in_thread(self, items: list[Item]) -> list[Any]:
        """Per item: a result, a pending Future, or a Failure (after blocking retries)."""
        method, policy = self.method, self.retry
        results: list[Any] = []
        for _, record in items:
            attempt = 0
            while True:
                try:
                    results.append(method(record))
                    break
                except Exception as error:  # noqa: BLE001 - user code may raise anything
                    if attempt >= policy.retries:
                        results.append(Failure(self.agent_id, error, attempt + 1))
                        break
                    time.sleep(policy.backoff(attempt))
                    attempt += 1
        return results

    async def _run_sync(self, items: list[Item]) -> tuple[list[Item], dict[int, Failure]]:
        loop = asyncio.get_running_loop()
        results = await loop.run_in_executor(self.pool, self._call_batch_in_thread, items)
        outputs: list[Item] = []
        failures: dict[int, Failure] = {}
        for (index, record), result in zip(items, results, strict=True):
            if index in failures:
                continue
            if isinstance(result, Failure):
                failures[index] = result
                continue
            if type(result) is list and not self.sink:  # the common case, kept cheap
                for out in result:
                    if type(out) is StreamRecord:
                        outputs.append((index, out))
                    else:
                        outputs.append((index, to_record(out, agent_id=self.agent_id)))
                continue
            await self._settle(index, record, _resolved(result), outputs, failures)
        return outputs, failures

    async def _settle(
        self,
        index: int,
        record: StreamRecord,
        result: Awaitable[Any],
        outputs: list[Item],
        failures: dict[int, Failure],
    ) -> None:
        """Convert one call's result; on error retry the record, then record its Failure."""
        try:
            converted = self._convert(await result)
        except Exception as error:  # noqa: BLE001 - user code may raise anything
            outcome = await self._retry_one(record, error, first_attempt=1)
            if isinstance(outcome, Failure):
                failures[index] = outcome
                return
            converted = outcome
        outputs.extend((index, out) for out in converted)

    async def _retry_one(
        self, record: StreamRecord, error: BaseException, first_attempt: int
    ) -> list[StreamRecord] | Failure:
        """Retry one record that failed after its first call (a failed Future or bad result)."""
        attempt = first_attempt
        while attempt <= self.retry.retries:
            await asyncio.sleep(self.retry.backoff(attempt - 1))
            try:
                result = await self._call_once(record)
                return self._convert(result)
            except Exception as retry_error:  # noqa: BLE001
                error = retry_error
            attempt += 1
        return Failure(self.agent_id, error, attempt)

    async def _call_once(self, record: StreamRecord) -> Any:
        if self.is_async:
            result = await self.method(record)
        else:
            result = await asyncio.get_running_loop().run_in_executor(
                self.pool, self.method, record
            )
        if isinstance(result, Future):
            result = await asyncio.wrap_future(result)
        return result

    # -- asynchronous agents: on the loop, lanes by key -------------------------------------
    async def _run_lane(
        self, items: list[Item], outputs: list[Item], failures: dict[int, Failure]
    ) -> None:
        for index, record in items:
            if index not in failures:
                await self._settle(index, record, self._call_once(record), outputs, failures)

    async def _run_async(self, items: list[Item]) -> tuple[list[Item], dict[int, Failure]]:
        failures: dict[int, Failure] = {}
        collected: list[Item] = []
        if self.concurrency == 1 or len(items) == 1:
            await self._run_lane(items, collected, failures)
            return collected, failures
        lanes: dict[int, list[Item]] = {}
        for item in items:
            lanes.setdefault(lane_of(item[1], self.concurrency), []).append(item)
        await asyncio.gather(
            *(self._run_lane(lane, collected, failures) for lane in lanes.values())
        )
        collected.sort(key=lambda item: item[0])  # stable: a key's outputs keep their order
        return collected, failures


async def _resolved(result: Any) -> Any:
    """A sync call's result, awaiting it when the agent returned a `concurrent.futures.Future`."""
    if isinstance(result, Future):
        return await asyncio.wrap_future(result)
    return result


def lane_of(record: StreamRecord, lanes: int) -> int:
    """Records with the same key share a lane; keyless records keep their partition's order."""
    key = record.key()
    if key is None:
        return (record.partition or 0) % lanes
    try:
        return hash(key) % lanes
    except TypeError:
        return hash(repr(key)) % lanes
