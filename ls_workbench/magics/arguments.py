"""Argument parsers of the `%langstream` subcommands, declared with IPython's magic_arguments.

Each stub function below only carries a parser (its docstring is the subcommand's help);
`%langstream` picks one by the first word of its line.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from ls_workbench.errors import WorkbenchError


@magic_arguments()
@argument("agents", nargs="*", help="agent ids to start (default: all)")
def start_args() -> None:
    """Validate and start the pipeline; shows its live status and picture."""


@magic_arguments()
def stop_args() -> None:
    """Stop every agent after its batch in flight is committed."""


@magic_arguments()
def status_args() -> None:
    """Show the state, counters and last error of every executor."""


@magic_arguments()
@argument("topic")
@argument("value", help="JSON (an object, number, quoted string...) or plain text")
@argument("--key", help="the record key (JSON or text)")
@argument(
    "--header", action="append", default=[], metavar="NAME=VALUE", help="a header; repeatable"
)
@argument("--text", action="store_true", help="send VALUE as text even if it parses as JSON")
def send_args() -> None:
    """Write one record to TOPIC."""


@magic_arguments()
@argument("topic")
@argument("-n", "--count", type=int, help="wait for this many records")
@argument("--timeout", type=float, help="seconds to wait (default 10 with --count)")
@argument("--latest", action="store_true", help="only records arriving from now on")
def collect_args() -> None:
    """Read TOPIC from its earliest offset (never commits for the pipeline's agents)."""


@magic_arguments()
@argument("topics", nargs="*", help="topics to tail (default: every topic)")
@argument("--rows", type=int, default=25, help="records shown")
def inspect_args() -> None:
    """A live record inspector: records, rates, lag, dead letters; filters and pause."""


@magic_arguments()
def view_args() -> None:
    """A live picture of the pipeline."""


@magic_arguments()
@argument("agent")
def remove_args() -> None:
    """Remove an agent from the application (a running pipeline stops it)."""


@magic_arguments()
@argument("directory", nargs="?", help="where to write the folder (default: the exporter's)")
@argument("options", nargs="*", metavar="KEY=VALUE", help="options passed to the exporter")
def export_args() -> None:
    """Write the application folder with instance.yaml and secrets.yaml beside it."""


@magic_arguments()
@argument(
    "--panel",
    action="store_true",
    help="show the export-and-deploy panel (pick target, validate, export, deploy) instead",
)
@argument("options", nargs="*", metavar="KEY=VALUE", help="options passed to the deployer")
def deploy_args() -> None:
    """Deploy the application to Kubernetes."""


def parse(magic: Any, line: str) -> Any:
    """Parse a magic's line the way a shell would: quotes group words and are removed
    (IPython's own splitting keeps them, which would send `'{"a": 1}'` quotes and all)."""
    try:
        argv = shlex.split(line)
    except ValueError as error:
        raise UsageError(f"cannot split the line into arguments: {error}") from None
    return magic.parser.parse_args(argv)


SUBCOMMANDS = {
    "start": start_args,
    "stop": stop_args,
    "status": status_args,
    "send": send_args,
    "collect": collect_args,
    "inspect": inspect_args,
    "view": view_args,
    "remove": remove_args,
    "export": export_args,
    "deploy": deploy_args,
}


def json_or_text(text: str | None, *, force_text: bool = False) -> Any:
    """`42` -> 42, `{"a": 1}` -> dict, `"hi"` -> 'hi', `hello world` -> 'hello world'."""
    if text is None or force_text:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def key_values(pairs: list[str], what: str) -> dict[str, Any]:
    """`["dry-run=true", "namespace=demo"]` -> {"dry_run": True, "namespace": "demo"}."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise WorkbenchError(f"{what}: expected KEY=VALUE, got {pair!r}")
        options[key.replace("-", "_")] = json_or_text(value)
    return options


def headers(pairs: list[str]) -> list[tuple[str, Any]]:
    result = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise WorkbenchError(f"--header: expected NAME=VALUE, got {pair!r}")
        result.append((name, value))
    return result
