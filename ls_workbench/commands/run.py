"""`ls-workbench run APP_DIR [-i] [-s] [--agent ID]`: run until Ctrl-C or SIGTERM.

The application's gateways are served beside the pipelines (`--gateway-port`, default 8091).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kernel_runtime.__main__ import print_started
from kernel_runtime.gateway.cli import add_gateway_arguments, gateway_options
from kernel_runtime.headless import run_command
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions
from ls_workbench.commands.common import add_app_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run an application until Ctrl-C")
    add_app_arguments(parser)
    parser.add_argument("--agent", action="append", dest="agents", metavar="ID")
    parser.add_argument("--tenant", default="default")
    parser.add_argument("--app-id", help="application id (default: the folder's name)")
    parser.add_argument("--state-dir", help="where disk-enabled agents keep state")
    add_gateway_arguments(parser)


def _print_started(runtime: ApplicationRuntime) -> None:
    print_started(runtime)
    print("press Ctrl-C to stop", flush=True)


def run(args: argparse.Namespace) -> int:
    options = RuntimeOptions(tenant=args.tenant, application_id=args.app_id)
    if args.state_dir:
        options.state_root = Path(args.state_dir)
    return run_command(
        args.app_dir,
        args.instance,
        args.secrets,
        args.agents,
        options,
        _print_started,
        gateway=gateway_options(args),
    )
