"""The running side of a Workbench: broker, application runtime and gateway, on the loop.

Every coroutine here runs on the Workbench's background loop (`kernel_loop`), because the
broker, the runtime and the gateway server must all live on the loop that created them. The
broker outlives `stop()` (like a real cluster, it keeps topics, records and committed
offsets), so a restarted pipeline resumes where it stopped.
"""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import Any

from kernel_runtime.brokers.base import Broker, TopicSpec
from kernel_runtime.manifest import Application, Instance
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions

COUNTERS = ("received", "emitted", "skipped", "dead_lettered", "failed")


def broker_for_instance(instance: Instance) -> Broker:
    """The embedded broker, or the streaming cluster the instance names (as `run` picks it)."""
    from kernel_runtime.headless import broker_for

    return broker_for(types.SimpleNamespace(instance=instance))  # type: ignore[arg-type]


def forget_modules(python_dir: Path) -> None:
    """Drop imported modules loaded from `python_dir`, so a start imports the current code."""
    root = python_dir.resolve()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if not origin:
            continue
        try:
            if Path(origin).resolve().is_relative_to(root):
                del sys.modules[name]
        except (OSError, ValueError):
            continue


class Engine:
    """Broker, runtime and gateway of one Workbench; used from the loop only."""

    def __init__(
        self,
        *,
        instance: Instance,
        options: RuntimeOptions,
        broker: Broker | None = None,
        gateway_port: int | None = None,
        gateway_test_mode: bool = False,
    ) -> None:
        self.instance = instance
        self.options = options
        self.gateway_port = gateway_port
        self.gateway_test_mode = gateway_test_mode
        self.broker: Broker | None = broker
        self._broker_started = False
        self.runtime: ApplicationRuntime | None = None
        self.gateway: Any = None
        self.started_at: float | None = None
        # counters of executors replaced by a swap, so totals run from the start, not the swap
        self._carried: dict[str, dict[str, int]] = {}
        # broker clients of views (inspector tails), closed before the broker
        self.closers: list[Callable[[], Awaitable[None]]] = []

    @property
    def running(self) -> bool:
        return self.runtime is not None

    def gateway_address(self) -> tuple[str, int] | None:
        """(host, port) of the gateway server while it runs."""
        address = getattr(self.gateway, "address", None)
        return address() if callable(address) else address

    async def ensure_broker(self) -> Broker:
        if self.broker is None:
            self.broker = broker_for_instance(self.instance)
        if not self._broker_started:
            await self.broker.start()
            self._broker_started = True
        return self.broker

    async def create_topics(self, specs: list[TopicSpec]) -> None:
        broker = await self.ensure_broker()
        for spec in specs:
            if not await broker.topic_exists(spec.name):
                await broker.create_topic(spec)

    async def start(self, app: Application, agent_ids: Collection[str] | None = None) -> None:
        broker = await self.ensure_broker()
        forget_modules(app.app_dir / "python")
        runtime = ApplicationRuntime(app, broker, self.options)
        try:
            await runtime.start(agent_ids)
            self.runtime = runtime
            await self._serve_gateways(app)
        except BaseException:
            self.runtime = None
            await runtime.stop()
            raise
        self.started_at = time.monotonic()

    async def _serve_gateways(self, app: Application) -> None:
        """Serve the application's gateways: (re)defined on the running server, or started."""
        if self.gateway is not None:
            self.gateway.serve(
                app,
                self.broker,
                tenant=self.options.tenant,
                application_id=self.options.application_id,
            )
            return
        if not app.gateways:
            return
        from kernel_runtime.gateway import GatewayOptions, GatewayServer

        server = GatewayServer(
            GatewayOptions(
                port=0 if self.gateway_port is None else self.gateway_port,
                test_mode=self.gateway_test_mode,
            )
        )
        server.serve(
            app, self.broker, tenant=self.options.tenant, application_id=self.options.application_id
        )
        await server.start()
        self.gateway = server

    async def update(self, app: Application, reload: Collection[str]) -> dict[str, str]:
        assert self.runtime is not None
        before = {eid: vars(ex.stats).copy() for eid, ex in self.runtime.executors.items()}
        outcome = await self.runtime.update(app, reload=reload)
        await self._serve_gateways(app)
        for executor_id, what in outcome.items():
            if what == "swapped" and executor_id in before:
                carried = self._carried.setdefault(executor_id, {})
                for counter in COUNTERS:
                    carried[counter] = carried.get(counter, 0) + int(before[executor_id][counter])
            elif what == "stopped":
                self._carried.pop(executor_id, None)
        return outcome

    async def stop(self) -> None:
        runtime, self.runtime = self.runtime, None
        gateway, self.gateway = self.gateway, None
        self.started_at = None
        self._carried.clear()
        if gateway is not None:
            await gateway.stop()
        if runtime is not None:
            await runtime.stop()

    async def close(self) -> None:
        """Stop everything and close the broker (the kernel is going away)."""
        await self.stop()
        closers, self.closers = self.closers, []
        for closer in closers:
            try:
                await closer()
            except Exception:  # noqa: BLE001 - the broker is closed next anyway
                pass
        if self.broker is not None and self._broker_started:
            await self.broker.close()
        self._broker_started = False

    async def snapshot(self) -> dict[str, Any]:
        """Executors' state and counters, records per topic, consumer lag per agent."""
        runtime = self.runtime
        executors: dict[str, Any] = {}
        if runtime is not None:
            for executor_id, status in runtime.status().items():
                executors[executor_id] = {**status, "errors": list(status.get("errors", []))}
                for counter, value in self._carried.get(executor_id, {}).items():
                    executors[executor_id][counter] += value
                executors[executor_id]["lag"] = await self._lag(executor_id, status.get("input"))
        topics: dict[str, int] = {}
        broker = self.broker
        if broker is not None and self._broker_started and not getattr(broker, "closed", False):
            for name in await self._topic_names():
                try:
                    topics[name] = sum((await broker.end_offsets(name)).values())
                except Exception:  # noqa: BLE001 - a topic deleted meanwhile
                    continue
        return {
            "state": "running" if runtime is not None else "stopped",
            "uptime": None if self.started_at is None else time.monotonic() - self.started_at,
            "executors": executors,
            "topics": topics,
        }

    async def _topic_names(self) -> list[str]:
        names: list[str] = []
        if self.runtime is not None:
            names = list(self.runtime.app.topics())
        lister = getattr(self.broker, "list_topics", None)
        if callable(lister):
            names += [name for name in lister() if name not in names]
        return names

    async def _lag(self, executor_id: str, topic: str | None) -> int | None:
        broker = self.broker
        if broker is None or topic is None:
            return None
        group = f"langstream-agent-{executor_id}"
        group_lag = getattr(broker, "group_lag", None)
        if callable(group_lag):
            return sum(lag for tp, lag in group_lag(group).items() if tp.topic == topic)
        try:
            ends = await broker.end_offsets(topic)
            committed = await broker.committed(group, topic)
        except Exception:  # noqa: BLE001 - lag is informative only
            return None
        return sum(max(0, end - committed.get(p, 0)) for p, end in ends.items())
