"""Every notebook in notebooks/ runs top to bottom in a real kernel and reproduces its outputs.

nbval does the work (a kernel per notebook, outputs compared cell by cell after the
substitutions in notebooks/nbval-sanitize.cfg). It runs in a child pytest so that a plain
`pytest` from the project root covers the notebooks without collecting notebooks/ itself. When
the session already runs nbval on the notebooks (`--nbval` with notebooks/ among the paths),
this test steps aside.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
SANITIZE = NOTEBOOKS_DIR / "nbval-sanitize.cfg"
# rag.ipynb needs an OpenAI-protocol server and the local-ai extra: tests/ai/test_rag_notebook.py
NOTEBOOKS = sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb") if p.name != "rag.ipynb")


def nbval_runs_natively(config: pytest.Config) -> bool:
    if not config.getoption("nbval", default=False):
        return False
    paths = [*config.args, *(config.getini("testpaths") or [])]
    return any("notebooks" in str(path) for path in paths)


@pytest.mark.timeout(600)
def test_notebooks_run_and_reproduce_their_outputs(request):
    """All notebooks in one child run: one interpreter start instead of one per notebook."""
    if nbval_runs_natively(request.config):
        pytest.skip("nbval collects the notebooks in this session")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--nbval-current-env",
        "--nbval-cell-timeout=120",
        f"--nbval-sanitize-with={SANITIZE}",
        *(str(notebook.relative_to(PROJECT_ROOT)) for notebook in NOTEBOOKS),
    ]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=580, check=False
    )
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    assert result.returncode == 0, f"nbval failed:\n{result.stdout[-12000:]}"
