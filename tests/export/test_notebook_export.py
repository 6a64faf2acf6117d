"""`ls-workbench export NOTEBOOK.ipynb`: every notebook of notebooks/ leaves as a valid folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel_runtime.manifest import load_application
from ls_workbench.commands.notebook_source import notebook_app_dir
from ls_workbench.export import export_application

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_exports_to_a_folder_that_loads_back_equal(notebook, tmp_path):
    with notebook_app_dir(notebook) as (app_dir, requirements):
        source = load_application(app_dir)
        export_application(app_dir, tmp_path / "out", requirements=requirements)
    exported = load_application(tmp_path / "out")
    assert exported == source
    assert [a.id for a in exported.agents()] == [a.id for a in source.agents()]
