"""`python -m kernel_runtime gateway APP_DIR --port N`: the gateway alone, as LangStream deploys it.

On Kubernetes the gateway runs in its own pods beside the agents' pods, all on the instance's
streaming cluster (Kafka); the application's topics must exist (the agents' pods create them).
Runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Mapping

from kernel_runtime.gateway.proxy import mapped_service_address
from kernel_runtime.gateway.server import GatewayOptions, GatewayServer
from kernel_runtime.headless import broker_for, load_for_run
from kernel_runtime.manifest import Application, ApplicationError
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions, UnrunnableApplication


async def serve_until_stopped(
    app: Application,
    options: GatewayOptions,
    *,
    tenant: str,
    application_id: str | None,
    service_agents: Mapping[str, tuple[str, int]] | None = None,
) -> int:
    broker = broker_for(app)
    await broker.start()
    server = GatewayServer(options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    try:
        topics = ApplicationRuntime(app, broker, RuntimeOptions(tenant, application_id))
        await topics.create_topics()
        server.serve(
            app,
            broker,
            tenant=tenant,
            application_id=topics.application_id,
            service_address=mapped_service_address(service_agents or {}),
        )
        await server.start()
        for line in server.urls():
            print(line, flush=True)
        await stop.wait()
        return 0
    finally:
        await server.stop()
        await broker.close()


def gateway_command(args: argparse.Namespace, options: GatewayOptions) -> int:
    """Load and serve; bad input is reported as text and exit code 1, never a traceback."""
    try:
        app = load_for_run(args.app_dir, args.instance, args.secrets)
        if not app.gateways:
            print(f"error: {args.app_dir} has no gateways.yaml gateways to serve", file=sys.stderr)
            return 1
        unknown = [a for a, _ in args.service_agents if a not in {x.id for x in app.agents()}]
        if unknown:
            print(
                f"error: --service-agent names {', '.join(unknown)}, not an agent of "
                f"{args.app_dir} (agents: {', '.join(a.id for a in app.agents()) or 'none'})",
                file=sys.stderr,
            )
            return 1
        return asyncio.run(
            serve_until_stopped(
                app,
                options,
                tenant=args.tenant,
                application_id=args.app_id,
                service_agents=dict(args.service_agents),
            )
        )
    except ApplicationError as error:
        print(f"{args.app_dir}: {len(error.problems)} problem(s):\n{error}", file=sys.stderr)
        return 1
    except (UnrunnableApplication, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
