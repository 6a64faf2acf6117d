"""Service agents: `main()` runs in a daemon thread of its own, outside the loop's worker pool,
because it may block for as long as the service lives."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kernel_runtime.agents.executor import AgentExecutor
    from kernel_runtime.agents.replica import Replica


async def run_service(executor: AgentExecutor, replica: Replica) -> None:
    """`main()` runs in its own thread until it returns, raises, or the executor stops."""
    service = replica.instances[0]
    main = run_in_daemon_thread(service.main, name=f"service-{executor.id}-{replica.index}")
    stop = asyncio.ensure_future(executor.until_stopping())
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
