"""`ls-workbench demo`: the bundled ticket-triage application, end to end."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the bundled demo application, show what flowed"
    )
    parser.add_argument("--records", type=int, default=8, help="how many tickets to send")


def run(args: argparse.Namespace) -> int:
    from ls_workbench.demo import run_demo

    return run_demo(records=args.records)
