"""The application a notebook defines, read from its magics without running its pipeline.

Only the definition cells run, through the notebook's own magics in a private IPython
shell: `%langstream_app` (with a temporary work folder), `%%langstream_topic`,
`%%langstream_agent`, `%%langstream_gateway`, `%%langstream_resources` and
`%%langstream_requirements`. Every other cell, `%langstream start`
included, is skipped, so no agent starts and no record flows. What they define is the
same application folder the notebook materialises while it runs.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ls_workbench.export import ExportError

DEFINITION_MAGICS = (
    "%%langstream_topic",
    "%%langstream_agent",
    "%%langstream_gateway",
    "%%langstream_resources",
    "%%langstream_requirements",
)


def definition_cells(notebook: Path) -> list[str]:
    """The sources of the notebook's definition cells, in order; the app cell first."""
    try:
        document = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExportError(f"{notebook}: not a readable notebook ({error})") from error
    cells = []
    for cell in document.get("cells") or []:
        if cell.get("cell_type") != "code":
            continue
        if "raises-exception" in (cell.get("metadata", {}).get("tags") or []):
            continue  # a cell the notebook expects to fail (nbval's tag) defines nothing
        source = cell.get("source") or ""
        source = "".join(source) if isinstance(source, list) else source
        lines = [line for line in source.splitlines() if line.strip()]
        if not lines:
            continue
        first = lines[0].strip()
        if first.startswith(DEFINITION_MAGICS):
            cells.append(source.lstrip())
        else:
            cells += [line.strip() for line in lines if line.strip().startswith("%langstream_app")]
    if not any(cell.startswith("%langstream_app") for cell in cells):
        raise ExportError(
            f"{notebook}: no `%langstream_app NAME` line; the notebook defines no application"
        )
    return cells


def _app_line(line: str, workdir: Path) -> str:
    """`%langstream_app` with our work folder and the embedded broker (nothing connects)."""
    words = shlex.split(line)[1:]
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word in ("--workdir", "--broker", "--gateway-port"):
            skip = True
            continue
        if word.startswith(("--workdir=", "--broker=", "--gateway-port=")):
            continue
        kept.append(word)
    return "%langstream_app " + shlex.join([*kept, "--workdir", str(workdir), "--reset"])


def _refuse_unset_variables(notebook: Path, source: str) -> None:
    """Magic lines may say `$name`; its value comes from code the export does not run."""
    first_line = source.splitlines()[0]
    names = re.findall(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)", first_line)
    if names:
        raise ExportError(
            f"{notebook}: the cell `{first_line}` uses ${names[0]}, a Python variable; the "
            "export reads only the definition cells and does not run the code that sets it. "
            "Write the value literally in the magic line, or export with `Workbench.export` "
            "from the running notebook."
        )


@contextlib.contextmanager
def notebook_app_dir(notebook: Path) -> Iterator[tuple[Path, list[str]]]:
    """(application folder, pip requirements) of the notebook, valid inside the `with`."""
    from IPython.core.interactiveshell import InteractiveShell

    import ls_workbench

    cells = definition_cells(notebook)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ls_workbench")
    with tempfile.TemporaryDirectory(prefix="ls-workbench-notebook-") as workdir:
        workbench = None
        try:
            for source in cells:
                if source.startswith("%langstream_app"):
                    source = _app_line(source, Path(workdir))
                _refuse_unset_variables(notebook, source)
                result = shell.run_cell(source, silent=True)
                if not result.success:
                    error = result.error_in_exec or result.error_before_exec
                    raise ExportError(f"{notebook}: the cell\n{source}\nfailed: {error}")
            workbench = ls_workbench.current()
            workbench.application()  # definition problems, as the notebook reports them
            yield workbench.app_dir, list(getattr(workbench, "requirements", None) or [])
        finally:
            if workbench is not None:
                workbench.close()
