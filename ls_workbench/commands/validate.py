"""`ls-workbench validate APP_DIR [-i] [-s]`: every problem of a folder, exit 1 if any error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kernel_runtime.manifest import ApplicationError, load_application
from ls_workbench.commands.common import add_app_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check an application folder; exit 1 on errors")
    add_app_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        app = load_application(Path(args.app_dir), instance=args.instance, secrets=args.secrets)
        app = app.resolved()
    except ApplicationError as error:
        print(f"{args.app_dir}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    for warning in app.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    print(
        f"{args.app_dir}: valid ({len(app.pipelines)} pipeline file(s), {len(app.agents())} "
        f"agent(s), {len(app.topics())} topic(s), {len(app.gateways)} gateway(s))"
    )
    return 0
