"""`ls-workbench`: validate, run and demo LangStream applications from a terminal."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

COMMANDS = ("validate", "run", "demo", "export", "deploy", "undeploy", "broker")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ls-workbench", description="Run LangStream applications without a cluster."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the runtime does")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"ls_workbench.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    module = importlib.import_module(f"ls_workbench.commands.{args.command.replace('-', '_')}")
    return module.run(args)


if __name__ == "__main__":
    sys.exit(main())
