"""`ls-workbench undeploy APP_DIR -i -s [--namespace] [--context] [--delete-volumes]`.

Deletes what `deploy` created for the same folder and options; the agents' PVCs (their
state) and the namespace holding them stay unless `--delete-volumes`.
"""

from __future__ import annotations

import argparse

from ls_workbench.commands.deploy import add_cluster_arguments, options_from, report_errors
from ls_workbench.deploy import undeploy_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("undeploy", help="remove a deployed application")
    add_cluster_arguments(parser)
    parser.add_argument(
        "--delete-volumes",
        action="store_true",
        help="also delete the agents' state volumes (PVCs) and the namespace",
    )


def run(args: argparse.Namespace) -> int:
    def act() -> int:
        args.allow_embedded_broker = True  # undeploy needs the names, not a working broker
        deleted = undeploy_folder(
            args.app_dir,
            instance=args.instance,
            secrets=args.secrets,
            options=options_from(args),
            context=args.context,
            kubeconfig=args.kubeconfig,
            delete_volumes=args.delete_volumes,
            on_event=lambda event: print(event, flush=True),
        )
        print(f"deleted {len(deleted)} object(s)")
        return 0

    return report_errors(args.app_dir, act)
