"""`ls-workbench export APP_DIR|NOTEBOOK.ipynb PATH [-i] [-s] [-r REQ] [--force]`.

Writes PATH as a LangStream application folder, with instance.yaml and secrets.yaml beside
it, validated by loading it back. A notebook is read for its `%%langstream_*` definition
cells only; its pipeline is not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kernel_runtime.manifest import ApplicationError
from ls_workbench.export import ExportError, export_application


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write a validated LangStream application folder (+ instance, secrets)"
    )
    parser.add_argument("source", help="application folder, or a notebook (.ipynb)")
    parser.add_argument("path", help="the folder to write (instance/secrets files go beside it)")
    parser.add_argument("-i", "--instance", help="instance.yaml to write beside the folder")
    parser.add_argument("-s", "--secrets", help="secrets.yaml to write beside the folder")
    parser.add_argument(
        "-r",
        "--requirement",
        action="append",
        dest="requirements",
        default=[],
        metavar="REQ",
        help="a pip requirement for python/requirements.txt (repeatable)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace PATH when it exists and is not empty"
    )


def run(args: argparse.Namespace) -> int:
    source = Path(args.source)
    try:
        if source.suffix == ".ipynb":
            from ls_workbench.commands.notebook_source import notebook_app_dir

            with notebook_app_dir(source) as (app_dir, requirements):
                report = export_application(
                    app_dir,
                    args.path,
                    instance=args.instance,
                    secrets=args.secrets,
                    requirements=[*requirements, *args.requirements],
                    overwrite=args.force,
                )
        else:
            report = export_application(
                source,
                args.path,
                instance=args.instance,
                secrets=args.secrets,
                requirements=args.requirements,
                overwrite=args.force,
            )
    except ApplicationError as error:
        print(f"{source}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0
