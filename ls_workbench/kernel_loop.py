"""The asyncio loop that runs brokers, agents and gateways beside the kernel, in a daemon thread.

A notebook kernel's main thread executes cells; the pipeline must keep flowing while a cell
blocks (`time.sleep`), and a saturated pipeline must not delay the next cell. So everything
asynchronous runs on one loop in a daemon thread, and callers in the kernel's thread submit
coroutines with `asyncio.run_coroutine_threadsafe` and wait for the result.

Thread-safety: `run` and `submit` may be called from any thread except the loop's own; `stop`
is idempotent. Cleanups registered with `on_shutdown` run on the loop, newest first, when the
process exits (`atexit`) or `stop` is called, so a kernel shutdown or restart ends cleanly.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

SHUTDOWN_TIMEOUT = 10.0
# A busy pipeline thread keeps the GIL up to the switch interval whenever a kernel thread wants
# it, and a kernel's reply to one cell takes a few dozen such hand-offs between its threads
# (shell channel, main, IOPub); at Python's default 5 ms a trivial cell waits tens of
# milliseconds. At 0.2 ms a cell beside a saturated pipeline answers in about the time it does
# beside one plain spinning thread, with no measurable cost in pipeline throughput (see
# benchmarks/kernel.py; the collector's share of the tail is kernel_runtime/gc_tuning.py's).
KERNEL_SWITCH_INTERVAL = 0.0002


class LoopStopped(RuntimeError):
    """The background loop is no longer running (the kernel is shutting down)."""


class KernelLoop:
    """An event loop running forever in a daemon thread, until `stop()` or process exit."""

    def __init__(self, name: str = "ls-workbench-loop") -> None:
        if "ipykernel" in sys.modules and sys.getswitchinterval() > KERNEL_SWITCH_INTERVAL:
            sys.setswitchinterval(KERNEL_SWITCH_INTERVAL)
        self.loop = asyncio.new_event_loop()
        self._cleanups: list[Callable[[], Awaitable[None]]] = []
        self._stopped = False
        self._lock = threading.Lock()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), name=name, daemon=True)
        self.thread.start()
        ready.wait()
        _at_exit(self.stop)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    @property
    def running(self) -> bool:
        return not self._stopped and self.thread.is_alive()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the loop; the returned future is safe to wait on from any thread."""
        if not self.running:
            coro.close()
            raise LoopStopped("the ls-workbench background loop was stopped; restart the kernel")
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("KernelLoop.run/submit called from the loop's own thread")
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop and wait for its result.

        An interrupt (the notebook's stop button) or a timeout cancels the coroutine, so
        nothing keeps running on behalf of a cell that gave up.
        """
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            raise

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a plain callback on the loop (thread-safe)."""
        if self.running:
            self.loop.call_soon_threadsafe(callback, *args)

    def on_shutdown(self, cleanup: Callable[[], Awaitable[None]]) -> Callable[[], None]:
        """Register an async cleanup for `stop()`; returns a function that unregisters it."""
        with self._lock:
            self._cleanups.append(cleanup)

        def unregister() -> None:
            with self._lock:
                if cleanup in self._cleanups:
                    self._cleanups.remove(cleanup)

        return unregister

    async def _run_cleanups(self) -> None:
        with self._lock:
            cleanups, self._cleanups = list(reversed(self._cleanups)), []
        for cleanup in cleanups:
            try:
                await cleanup()
            except Exception:  # noqa: BLE001 - one failing cleanup must not skip the others
                pass

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT) -> None:
        """Run the cleanups, cancel what is left, stop the loop and join its thread."""
        with self._lock:
            if self._stopped:
                return
        if self.thread.is_alive():
            try:
                asyncio.run_coroutine_threadsafe(self._run_cleanups(), self.loop).result(timeout)
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
            try:
                asyncio.run_coroutine_threadsafe(_cancel_others(), self.loop).result(timeout)
            except Exception:  # noqa: BLE001
                pass
        with self._lock:
            self._stopped = True
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout)
        atexit.unregister(self.stop)


def _at_exit(callback: Callable[[], None]) -> None:
    """Run `callback` when the interpreter exits, before thread pools are shut down.

    Agents close (and sync agent code runs) in worker threads; at interpreter exit,
    `concurrent.futures` refuses new work once its own exit hook ran, which is before plain
    `atexit` callbacks. `threading._register_atexit` hooks run earlier, newest first, so ours
    runs while the pools still work. Plain `atexit` is the fallback (and a no-op second call).
    """
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        try:
            register(callback)
        except RuntimeError:  # the interpreter is already shutting down
            pass
    atexit.register(callback)


async def _cancel_others() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=2.0)


_shared: KernelLoop | None = None
_shared_lock = threading.Lock()


def shared_loop() -> KernelLoop:
    """The process's background loop, started on first use (and again after a `stop`)."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = KernelLoop()
        return _shared
