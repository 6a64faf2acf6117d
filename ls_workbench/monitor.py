"""Keeps the Workbench's live views (inspectors, pipeline pictures, status panels) current.

One task on the Workbench's loop takes a snapshot of the pipeline a few times a second and
hands it to every attached view; each view decides whether to re-render (they throttle
themselves). Views update their widgets by assignment, which is safe from this thread; they
never print or use `with output:` here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench

log = logging.getLogger(__name__)

TICK = 0.25


class LiveView(Protocol):
    async def refresh(self, snapshot: dict[str, Any]) -> None: ...


class Monitor:
    """The refresh task of one Workbench; started when a view is attached or the pipeline runs."""

    def __init__(self, workbench: Workbench, tick: float = TICK) -> None:
        self._workbench_views = workbench.views
        self._engine = workbench.engine
        self._gateways = workbench.gateway_urls
        self._loop = workbench._loop
        self.tick = tick
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        self.ticks = 0

    def ensure_running(self) -> None:
        self._loop.call_soon(self._start)

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="lsw-monitor")

    def poke(self) -> None:
        """Refresh now (after a start, stop or swap) rather than at the next tick."""
        self._loop.call_soon(self._set_wake)

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def stop(self) -> None:
        self._loop.call_soon(self._cancel)

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def refresh_once(self) -> None:
        views = self._workbench_views()
        if not views:
            return
        snapshot = await self._engine.snapshot()
        snapshot["gateways"] = self._gateways()
        for view in views:
            try:
                await view.refresh(snapshot)
            except Exception:  # noqa: BLE001 - a broken view must not stop the others
                log.exception("refreshing %r failed", view)
        self.ticks += 1

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self.refresh_once()
            try:
                await asyncio.wait_for(self._wake.wait(), self.tick)
            except TimeoutError:
                pass
            self._wake.clear()
