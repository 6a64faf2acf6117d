"""`python -m kernel_runtime run APP_DIR [--agent ID]`: the entrypoint of pods and headless runs.

`python -m kernel_runtime gateway APP_DIR --port N` serves the application's gateways alone.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

from kernel_runtime.gateway.cli import add_gateway_arguments, gateway_options
from kernel_runtime.gateway.proxy import parse_service_agent
from kernel_runtime.headless import run_command
from kernel_runtime.health import HealthServer
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions, default_state_root


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kernel_runtime")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run an application folder until interrupted")
    run.add_argument("app_dir", help="LangStream application folder")
    run.add_argument("-i", "--instance", help="instance.yaml (default: embedded broker)")
    run.add_argument("-s", "--secrets", help="secrets.yaml")
    run.add_argument(
        "--agent",
        action="append",
        dest="agents",
        metavar="ID",
        help="run only this agent (repeatable)",
    )
    run.add_argument("--tenant", default="default")
    run.add_argument("--app-id", help="application id (default: the folder's name)")
    run.add_argument(
        "--state-dir", help=f"agents' persistent state (default: {default_state_root()})"
    )
    run.add_argument(
        "--health-port",
        type=int,
        help="serve /healthz and /readyz on this port (Kubernetes probes)",
    )
    run.add_argument("--health-host", default="127.0.0.1", help="address the health port binds")
    run.add_argument(
        "--replica",
        type=replica_index,
        help="run only this replica of each agent: an index, or a StatefulSet pod name "
        "(`name-3` runs replica 3), as each pod of a StatefulSet runs one replica",
    )
    run.add_argument("-v", "--verbose", action="store_true")
    gateway = commands.add_parser("gateway", help="serve the application's gateways only")
    gateway.add_argument("app_dir", help="LangStream application folder")
    gateway.add_argument("-i", "--instance", help="instance.yaml (default: embedded broker)")
    gateway.add_argument("-s", "--secrets", help="secrets.yaml")
    gateway.add_argument("--tenant", default="default")
    gateway.add_argument("--app-id", help="application id (default: the folder's name)")
    gateway.add_argument("-v", "--verbose", action="store_true")
    add_gateway_arguments(gateway, prefix="--")
    gateway.add_argument(
        "--service-agent",
        dest="service_agents",
        action="append",
        type=service_agent,
        default=[],
        metavar="ID=HOST[:PORT]",
        help="where a service agent that runs in other pods listens (repeatable; port 8000 "
        "by default); agents not named are looked for on 127.0.0.1",
    )
    return parser


def service_agent(text: str) -> tuple[str, tuple[str, int]]:
    try:
        return parse_service_agent(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def replica_index(text: str) -> int:
    """`3` or `my-app-agent-3` -> 3."""
    match = re.search(r"(?:^|-)(\d+)$", text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a replica index nor a pod name ending in -<index>"
        )
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "gateway":
        from kernel_runtime.gateway.standalone import gateway_command

        return gateway_command(args, gateway_options(args))
    options = RuntimeOptions(tenant=args.tenant, application_id=args.app_id)
    if args.state_dir:
        options.state_root = Path(args.state_dir)
    if args.replica is not None:
        options.executor.replicas = [args.replica]
    health = None
    if args.health_port is not None:
        health = HealthServer(args.health_host, args.health_port)
    return run_command(
        args.app_dir, args.instance, args.secrets, args.agents, options, print_started, health
    )


def print_started(runtime: ApplicationRuntime) -> None:
    """One line per executor, so logs of a pod say what it runs."""
    for executor_id, status in runtime.status().items():
        print(
            f"running {executor_id}: {' -> '.join(status['agents'])} "
            f"({status['input'] or 'source'} -> {status['output'] or 'none'})",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
