"""`ls-workbench`: validate, run and demo LangStream applications from a terminal."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kernel_runtime.__main__ import print_started
from kernel_runtime.headless import run_command
from kernel_runtime.manifest import ApplicationError, load_application
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions


def _add_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_dir", help="LangStream application folder")
    parser.add_argument("-i", "--instance", help="instance.yaml, passed beside the folder")
    parser.add_argument("-s", "--secrets", help="secrets.yaml, passed beside the folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ls-workbench", description="Run LangStream applications without a cluster."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the runtime does")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check an application folder; exit 1 on errors")
    _add_app_arguments(validate)

    run = commands.add_parser("run", help="run an application until Ctrl-C")
    _add_app_arguments(run)
    run.add_argument("--agent", action="append", dest="agents", metavar="ID")
    run.add_argument("--tenant", default="default")
    run.add_argument("--app-id", help="application id (default: the folder's name)")
    run.add_argument("--state-dir", help="where disk-enabled agents keep state")

    demo = commands.add_parser("demo", help="run the bundled demo application and show what flowed")
    demo.add_argument("--records", type=int, default=8, help="how many tickets to send")
    return parser


def validate_command(app_dir: str, instance: str | None, secrets: str | None) -> int:
    try:
        app = load_application(Path(app_dir), instance=instance, secrets=secrets)
        app.resolved()
    except ApplicationError as error:
        print(f"{app_dir}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    for warning in app.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    agents = app.agents()
    print(
        f"{app_dir}: valid ({len(app.pipelines)} pipeline file(s), {len(agents)} agent(s), "
        f"{len(app.topics())} topic(s), {len(app.gateways)} gateway(s))"
    )
    return 0


def _print_started(runtime: ApplicationRuntime) -> None:
    print_started(runtime)
    print("press Ctrl-C to stop", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "validate":
        return validate_command(args.app_dir, args.instance, args.secrets)
    if args.command == "run":
        options = RuntimeOptions(tenant=args.tenant, application_id=args.app_id)
        if args.state_dir:
            options.state_root = Path(args.state_dir)
        return run_command(
            args.app_dir, args.instance, args.secrets, args.agents, options, _print_started
        )
    if args.command == "demo":
        from ls_workbench.demo import run_demo

        return run_demo(records=args.records)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
