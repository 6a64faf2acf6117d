"""LangStream's `OrderedAsyncBatchExecutor`: group records into batches, keep per-key order.

Records go to one of `buckets` by the hash of their key (keyless records spread round robin).
A bucket sends its batch when it holds `batch_size` records, or, when `flush_interval` is 0,
at once (batches of one, as LangStream); with a positive interval (milliseconds) a timer
flushes every bucket that often. A bucket runs one batch at a time, so batches of a key finish
in order; buckets run concurrently. Runs on the asyncio loop; `add` returns a future.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
BatchFunction = Callable[[list[T]], Awaitable[list[Any]]]


def bucket_index(key: Any, buckets: int) -> int:
    """A key's bucket, the same in every process (Python's str hash is salted per process)."""
    text = key if isinstance(key, (str, bytes)) else repr(key)
    data = text.encode("utf-8") if isinstance(text, str) else text
    return zlib.crc32(data) % buckets


class _Bucket(Generic[T]):
    def __init__(self, owner: OrderedBatcher[T]) -> None:
        self.owner = owner
        self.current: list[tuple[T, asyncio.Future]] = []
        self.pending: asyncio.Queue[list[tuple[T, asyncio.Future]]] = asyncio.Queue()
        self.worker = asyncio.ensure_future(self._work())

    def add(self, item: T, future: asyncio.Future) -> None:
        self.current.append((item, future))
        if len(self.current) >= self.owner.batch_size or self.owner.flush_interval <= 0:
            self.flush()

    def flush(self) -> None:
        if self.current:
            self.pending.put_nowait(self.current)
            self.current = []

    async def _work(self) -> None:
        while True:
            batch = await self.pending.get()
            items = [item for item, _ in batch]
            try:
                results = await self.owner.function(items)
            except Exception as error:  # noqa: BLE001 - the whole batch fails, as LangStream
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
            finally:
                self.pending.task_done()


class OrderedBatcher(Generic[T]):
    """`await batcher.add(item, key)` resolves to `function(batch)[position of item]`."""

    def __init__(
        self, function: BatchFunction, *, batch_size: int, flush_interval: int, buckets: int
    ) -> None:
        self.function = function
        self.batch_size = max(1, batch_size)
        self.flush_interval = flush_interval
        self.buckets = [_Bucket(self) for _ in range(max(1, buckets))]
        self._round_robin = itertools.cycle(range(len(self.buckets)))
        self._timer = (
            asyncio.ensure_future(self._flush_periodically()) if flush_interval > 0 else None
        )

    def _bucket(self, key: Any) -> _Bucket[T]:
        if key is None:
            return self.buckets[next(self._round_robin)]
        return self.buckets[bucket_index(key, len(self.buckets))]

    def add(self, item: T, key: Any = None) -> asyncio.Future:
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._bucket(key).add(item, future)
        return future

    def flush(self) -> None:
        for bucket in self.buckets:
            bucket.flush()

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval / 1000)
            self.flush()

    async def close(self) -> None:
        """Send what is buffered, wait for it, then stop the workers."""
        if self._timer is not None:
            self._timer.cancel()
        self.flush()
        for bucket in self.buckets:
            await bucket.pending.join()
            bucket.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bucket.worker
