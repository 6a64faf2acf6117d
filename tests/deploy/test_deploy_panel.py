"""The export-and-deploy widget, driven without a browser: validate, export, deploy."""

from __future__ import annotations

import shutil
from pathlib import Path

from kernel_runtime.manifest import Instance, Secrets, load_application
from kernel_runtime.manifest.loader import load_instance
from ls_workbench.deploy.apply import Deployer
from ls_workbench.deploy.kubeconfig import api_client
from ls_workbench.errors import PipelineError
from ls_workbench.widgets.deploy_panel import DeployPanel

APPS = Path(__file__).parent.parent / "apps"

BROKEN_PIPELINE = """\
topics:
  - name: in
    creation-mode: create-if-not-exists
pipeline:
  - id: first
    type: identity
    input: in
  - id: second
    type: no-such-agent-type
"""
BROKEN_GATEWAYS = "gateways:\n  - id: ask\n    type: produce\n"


class NotebookStandIn:
    """The attributes DeployPanel reads from a Workbench; `application()` fails as the
    Workbench does (PipelineError from the ApplicationError) when the folder has problems."""

    def __init__(self, app_dir: Path, workdir: Path, instance: Instance | None = None) -> None:
        self.app_dir, self.workdir, self.name = app_dir, workdir, app_dir.name
        self.instance = instance or Instance()
        self.secrets = Secrets()

    def application(self):
        try:
            return load_application(self.app_dir, secrets=self.secrets)
        except Exception as error:
            raise PipelineError(str(error)) from error


def _broken_app(tmp_path: Path) -> Path:
    app = tmp_path / "broken"
    app.mkdir()
    (app / "pipeline.yaml").write_text(BROKEN_PIPELINE)
    (app / "gateways.yaml").write_text(BROKEN_GATEWAYS)
    return app


def test_validate_lists_each_problem_with_the_cell_that_defines_it(tmp_path) -> None:
    panel = DeployPanel(
        NotebookStandIn(_broken_app(tmp_path), tmp_path), kubeconfig=tmp_path / "none"
    )
    rows = panel.validate()
    assert len(rows) >= 2
    assert any(
        row.startswith("%%langstream_agent second:") and "no-such-agent-type" in row for row in rows
    )
    assert any(row.startswith("%%langstream_gateway:") for row in rows)
    assert "problem(s)" in panel.message.value and "<li>" in panel.problems.value


def test_validate_uses_the_notebooks_own_cell_mapping_when_it_has_one(tmp_path) -> None:
    panel = DeployPanel(
        app_dir=_broken_app(tmp_path),
        kubeconfig=tmp_path / "none",
        cell_of=lambda problem: "cell 7" if problem.path.startswith("pipeline[1]") else None,
    )
    rows = panel.validate()
    assert any(row.startswith("cell 7:") for row in rows)
    assert any(row.startswith("gateways.yaml:") for row in rows)  # no mapping: file and line


def test_validate_for_a_cluster_says_what_blocks_a_deploy(tmp_path) -> None:
    panel = DeployPanel(app_dir=APPS / "exclamation-processor", kubeconfig=tmp_path / "none")
    panel.target.value = "cluster"
    assert panel.deploy_button.disabled is False and panel.export_button.disabled is True
    (row,) = panel.validate()
    assert "embedded broker" in row and "embedded broker" in panel.message.value


def test_export_writes_the_folder_and_shows_errors_in_the_panel(tmp_path) -> None:
    source = tmp_path / "app"
    shutil.copytree(APPS / "exclamation-processor", source)
    panel = DeployPanel(NotebookStandIn(source, tmp_path), kubeconfig=tmp_path / "none")
    assert panel.folder.value == str(tmp_path / "export" / "app")
    report = panel.export()
    assert report is not None and (tmp_path / "export" / "app" / "pipeline.yaml").is_file()
    assert "exported" in panel.message.value
    panel.folder.value = str(source / "inside")
    assert panel.export() is None
    assert "inside it" in panel.message.value


def test_deploy_shows_a_bar_per_object_and_the_rollout(
    tmp_path, kube, kubeconfig, kafka_instance
) -> None:
    workbench = NotebookStandIn(
        APPS / "exclamation-processor", tmp_path, load_instance(kafka_instance)
    )
    panel = DeployPanel(
        workbench,
        kubeconfig=kubeconfig,
        deployer_factory=lambda context: Deployer(
            api_client(context, kubeconfig), poll_interval=0.01
        ),
    )
    assert panel.context.options == ("stand-in", "other") and panel.context.value == "stand-in"
    panel.target.value = "cluster"
    outcome = panel.deploy(timeout=30)
    assert outcome is not None and "deployed exclamation-processor" in panel.message.value
    assert len(panel.progress.children) == len(outcome.rendered.objects)
    sts_bar = panel.bars[
        "StatefulSet exclamation-processor-exclamation in namespace exclamation-processor"
    ]
    assert (sts_bar.value, sts_bar.max, sts_bar.bar_style) == (1, 1, "success")
    assert "ready 1/1" in panel.rollout.value
    lines = panel.rollout.value.split("<br>")  # every workload's state, not just the last
    assert sorted(line.split()[1] for line in lines) == ["Deployment", "StatefulSet"], lines

    kube.fail("PATCH", "ConfigMap", "exclamation-processor-app", 403, "Forbidden", "no")
    panel.image.value = "other:2"
    assert panel.deploy(timeout=30) is None
    assert "forbidden" in panel.message.value and "Traceback" not in panel.message.value
