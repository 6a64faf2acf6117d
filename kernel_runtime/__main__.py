"""`python -m kernel_runtime run APP_DIR [--agent ID]`: the entrypoint of pods and headless runs."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kernel_runtime.headless import run_command
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
    run.add_argument("-v", "--verbose", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    options = RuntimeOptions(tenant=args.tenant, application_id=args.app_id)
    if args.state_dir:
        options.state_root = Path(args.state_dir)
    return run_command(
        args.app_dir, args.instance, args.secrets, args.agents, options, print_started
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
