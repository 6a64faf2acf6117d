"""`ls-workbench deploy APP_DIR -i -s [--namespace] [--context] [--dry-run] [--output yaml]`.

Exports the folder (validated, no secret in clear), renders its Kubernetes objects and,
unless `--output yaml` (print them, contact no cluster) or `--format langstream` (the
LangStream Application custom resource), sends them: a server-side dry run of every object
first, then server-side apply, then a rollout watch with progress until ready or timeout.
"""

from __future__ import annotations

import argparse
import sys

from kernel_runtime.manifest import ApplicationError
from ls_workbench.commands.common import add_app_arguments
from ls_workbench.deploy import DeployError, DeployOptions, deploy_folder, render_folder
from ls_workbench.deploy.options import DEFAULT_IMAGE
from ls_workbench.export import ExportError


def add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    add_app_arguments(parser)
    parser.add_argument("--namespace", help="target namespace (default: the application id)")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument(
        "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config)"
    )
    parser.add_argument("--tenant", default="default")
    parser.add_argument("--app-id", help="application id (default: the folder's name)")
    parser.add_argument(
        "--image", default=DEFAULT_IMAGE, help=f"runtime image (default: {DEFAULT_IMAGE})"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("deploy", help="deploy an application to Kubernetes")
    add_cluster_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="server-side dry run only")
    parser.add_argument(
        "--output", choices=["yaml"], help="print every object as YAML; contact no cluster"
    )
    parser.add_argument(
        "--format",
        choices=["kubernetes", "langstream"],
        default="kubernetes",
        help="langstream: print the LangStream Application custom resource instead",
    )
    parser.add_argument("--code-archive-id", help="--format langstream: the uploaded code archive")
    parser.add_argument("--timeout", type=float, default=300.0, help="rollout timeout, seconds")
    parser.add_argument("--no-wait", action="store_true", help="do not watch the rollout")
    parser.add_argument(
        "--force-conflicts", action="store_true", help="take over fields others changed"
    )
    parser.add_argument(
        "--allow-embedded-broker",
        action="store_true",
        help="deploy without a Kafka instance (each pod gets its own broker: for tests only)",
    )


def options_from(args: argparse.Namespace) -> DeployOptions:
    return DeployOptions(
        image=args.image,
        namespace=args.namespace,
        application_id=args.app_id,
        tenant=args.tenant,
        allow_embedded_broker=getattr(args, "allow_embedded_broker", False),
    )


def report_errors(source: str, action) -> int:
    """Run `action`; print what went wrong as text (never a traceback) and return 1."""
    try:
        return action()
    except ApplicationError as error:
        print(f"{source}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
    except (DeployError, ExportError) as error:
        print(f"error: {error}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    def act() -> int:
        if args.format == "langstream":
            from ls_workbench.deploy.langstream_cr import render_langstream_folder

            resources = render_langstream_folder(
                args.app_dir,
                instance=args.instance,
                secrets=args.secrets,
                tenant=args.tenant,
                application_id=args.app_id,
                namespace=args.namespace,
                code_archive_id=args.code_archive_id,
            )
            for warning in resources.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(resources.to_yaml(), end="")
            return 0
        if args.output == "yaml":
            rendered, warnings = render_folder(
                args.app_dir,
                instance=args.instance,
                secrets=args.secrets,
                options=options_from(args),
            )
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(rendered.to_yaml(), end="")
            return 0
        outcome = deploy_folder(
            args.app_dir,
            instance=args.instance,
            secrets=args.secrets,
            options=options_from(args),
            context=args.context,
            kubeconfig=args.kubeconfig,
            dry_run=args.dry_run,
            wait=not args.no_wait,
            timeout=args.timeout,
            force_conflicts=args.force_conflicts,
            on_event=lambda event: print(event, flush=True),
        )
        for warning in outcome.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(outcome.summary())
        return 0

    return report_errors(args.app_dir, act)
