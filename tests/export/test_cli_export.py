"""`ls-workbench export` on a folder and on a notebook (read, never run)."""

from __future__ import annotations

import json
from pathlib import Path

from kernel_runtime.manifest import load_application
from ls_workbench.cli import main

APPS = Path(__file__).parent.parent / "apps"

CELLS = [
    "%load_ext ls_workbench",
    "%langstream_app shout --broker kafka://127.0.0.1:1",
    "%%langstream_topic\n- name: in\n  creation-mode: create-if-not-exists\n"
    "- name: out\n  creation-mode: create-if-not-exists\n",
    "%%langstream_agent shout --type python-processor --input in --output out\n"
    "from langstream import Processor, SimpleRecord\n\n"
    "class Shout(Processor):\n    def process(self, record):\n"
    "        return [SimpleRecord(record.value().upper())]\n",
    "%%langstream_gateway\nid: ask\ntype: produce\ntopic: in\n",
    "%langstream start",
    "raise RuntimeError('the pipeline must not run')",
]


def _notebook(path: Path, cells: list[str]) -> Path:
    document = {
        "cells": [
            {
                "cell_type": "code",
                "source": c,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
            for c in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(document))
    return path


def test_export_a_folder(tmp_path, capsys) -> None:
    out = tmp_path / "out" / "app"
    assert main(["export", str(APPS / "exclamation-processor"), str(out), "-r", "requests>=2"]) == 0
    assert "exported" in capsys.readouterr().out
    assert (out / "python" / "requirements.txt").read_text() == "requests>=2\n"
    assert load_application(out).agents()[0].id == "exclamation"


def test_export_refuses_a_non_empty_target_without_force(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    assert main(["export", str(APPS / "exclamation-processor"), str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(APPS / "exclamation-processor"), str(out), "--force"]) == 0
    assert not (out / "keep.txt").exists()


def test_export_a_notebook_reads_its_magics_without_running_it(tmp_path, capsys) -> None:
    notebook = _notebook(tmp_path / "shout.ipynb", CELLS)
    out = tmp_path / "export" / "shout"
    assert main(["export", str(notebook), str(out)]) == 0, capsys.readouterr().err
    app = load_application(out)
    (agent,) = app.agents()
    assert (agent.id, agent.type, agent.input, agent.output) == (
        "shout",
        "python-processor",
        "in",
        "out",
    )
    module, _, cls = agent.configuration["className"].rpartition(".")
    assert (
        cls == "Shout" and "class Shout(Processor)" in (out / "python" / f"{module}.py").read_text()
    )
    assert [g.id for g in app.gateways] == ["ask"]


def test_a_notebook_without_an_application_is_a_clear_error(tmp_path, capsys) -> None:
    notebook = _notebook(tmp_path / "empty.ipynb", ["print('hi')"])
    assert main(["export", str(notebook), str(tmp_path / "out")]) == 1
    assert "%langstream_app" in capsys.readouterr().err


def test_a_magic_line_with_a_python_variable_is_refused_with_the_way_out(tmp_path, capsys) -> None:
    cells = [
        "%langstream_app knobs",
        "port = 8123",
        "%%langstream_agent svc --type python-service --configuration 'port: $port'\n"
        "from langstream import Service\n\nclass Svc(Service):\n    def main(self):\n        pass\n",
    ]
    notebook = _notebook(tmp_path / "knobs.ipynb", cells)
    assert main(["export", str(notebook), str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "uses $port, a Python variable" in error
    assert "Write the value literally" in error
    assert not (tmp_path / "out").exists()


def test_resources_declared_with_the_magic_are_exported(tmp_path, capsys) -> None:
    cells = [
        "%langstream_app with-store",
        "%%langstream_resources\ntype: datasource\nname: Store\n"
        "configuration:\n  service: jdbc\n  url: '${secrets.store.url}'\n",
        "%%langstream_agent look --type query-vector-db --input q --output a\n"
        "datasource: Store\nquery: SELECT 1\nfields: []\noutput-field: value.rows\n",
    ]
    out = tmp_path / "out" / "with-store"
    assert main(["export", str(_notebook(tmp_path / "s.ipynb", cells)), str(out)]) == 0, (
        capsys.readouterr().err
    )
    [resource] = load_application(out).configuration.resources
    assert (resource.name, resource.configuration["url"]) == ("Store", "${secrets.store.url}")


def test_requirements_declared_with_the_magic_reach_requirements_txt(tmp_path, capsys) -> None:
    cells = [
        "%langstream_app needs",
        "%%langstream_requirements\npypdf>=4\n",
        "%%langstream_agent upper --type python-processor --input q --output a\n"
        "from langstream import Processor\n\nclass Upper(Processor):\n"
        "    def process(self, record):\n        return [record]\n",
    ]
    out = tmp_path / "out" / "needs"
    assert main(["export", str(_notebook(tmp_path / "n.ipynb", cells)), str(out)]) == 0, (
        capsys.readouterr().err
    )
    assert (out / "python" / "requirements.txt").read_text() == "pypdf>=4\n"
