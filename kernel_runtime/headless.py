"""Run an application folder until interrupted: the body of `run` for pods and terminals.

Ctrl-C or SIGTERM stops every executor after its batch in flight is committed, so a restart
resumes where this run stopped. An agent failing with `on-failure: fail` stops the run with
exit code 1 and the error on stderr.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable, Collection
from pathlib import Path

from kernel_runtime.agents.factory import AgentInitError
from kernel_runtime.agents.python_loader import AgentCodeError
from kernel_runtime.brokers.base import Broker, BrokerError
from kernel_runtime.gateway.server import GatewayOptions, GatewayServer, start_gateway
from kernel_runtime.health import HealthServer
from kernel_runtime.manifest import Application, ApplicationError, load_application
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions, UnrunnableApplication


def load_for_run(
    app_dir: str | Path, instance: str | Path | None = None, secrets: str | Path | None = None
) -> Application:
    """Load, validate and resolve placeholders: what every run starts with."""
    return load_application(Path(app_dir), instance=instance, secrets=secrets).resolved()


def broker_for(app: Application) -> Broker:
    """The embedded broker, unless the instance names a streaming cluster."""
    cluster = app.instance.streaming_cluster if app.instance else None
    cluster_type = getattr(cluster, "type", None) if cluster else None
    if cluster_type in (None, "", "memory", "noop"):
        from kernel_runtime.brokers.memory import MemoryBroker

        return MemoryBroker()
    if cluster_type == "kafka":
        try:
            from kernel_runtime.brokers.kafka import KafkaBroker
        except ImportError as error:
            raise UnrunnableApplication(
                "instance.yaml selects a Kafka streaming cluster, which this build cannot run "
                "yet; run without -i/--instance to use the embedded broker"
            ) from error
        return KafkaBroker.from_instance(cluster)
    raise UnrunnableApplication(
        f"instance.yaml: streamingCluster type {cluster_type!r} is not supported yet; use type "
        "kafka (any Kafka-protocol cluster, or a local one: `ls-workbench broker`), or run "
        "without -i/--instance for the embedded broker"
    )


async def run_until_stopped(
    app: Application,
    *,
    agent_ids: Collection[str] | None = None,
    options: RuntimeOptions | None = None,
    broker: Broker | None = None,
    on_started: Callable[[ApplicationRuntime], None] | None = None,
    health: HealthServer | None = None,
    gateway: GatewayOptions | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (exit 0) or an agent fails (exit 1).

    `gateway`, when given and the application has gateways, serves them beside the pipelines.

    `health`, when given, answers liveness from now on and readiness once every executor runs.
    """
    if health is not None:
        await health.start()
    if broker is None:
        broker = broker_for(app)
    await broker.start()
    runtime = ApplicationRuntime(app, broker, options)
    gateway_server: GatewayServer | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    try:
        await runtime.start(agent_ids)
        if gateway is not None:
            gateway_server = await start_gateway(runtime, gateway)
            for line in gateway_server.urls() if gateway_server else []:
                print(line, flush=True)
        if health is not None:
            health.attach(runtime)
        if on_started is not None:
            on_started(runtime)
        waiter = asyncio.ensure_future(runtime.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait([waiter, stopper], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        failed = waiter.done() and waiter.exception() is not None
        if failed:
            print(f"error: {waiter.exception()}", file=sys.stderr)
        else:
            waiter.cancel()
        return 1 if failed else 0
    finally:
        if health is not None:
            health.detach()
        if gateway_server is not None:
            await gateway_server.stop()
        await runtime.stop()
        await broker.close()
        if health is not None:
            await health.stop()


def run_command(
    app_dir: str,
    instance: str | None,
    secrets: str | None,
    agent_ids: Collection[str] | None,
    options: RuntimeOptions | None = None,
    on_started: Callable[[ApplicationRuntime], None] | None = None,
    health: HealthServer | None = None,
    gateway: GatewayOptions | None = None,
) -> int:
    """Load and run; bad input is reported as text and exit code 1, never a traceback."""
    try:
        app = load_for_run(app_dir, instance, secrets)
        return asyncio.run(
            run_until_stopped(
                app,
                agent_ids=agent_ids,
                options=options,
                on_started=on_started,
                health=health,
                gateway=gateway,
            )
        )
    except ApplicationError as error:
        print(f"{app_dir}: {len(error.problems)} problem(s):\n{error}", file=sys.stderr)
        return 1
    except (
        UnrunnableApplication,
        AgentCodeError,
        AgentInitError,
        NotImplementedError,
        OSError,  # e.g. the health port is taken
        BrokerError,  # e.g. the Kafka cluster is unreachable or refused the login
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
