"""The export-and-deploy button: pick a target, validate, export, deploy with progress.

    DeployPanel(workbench)                 # in a notebook, or
    DeployPanel(app_dir="my-app", instance="kafka.yaml", secrets="secrets.yaml")

Validate lists every problem with the cell that defines it; Export writes the folder (with
instance.yaml and secrets.yaml beside it); Deploy shows a progress bar per object and the
rollout state. Errors are shown in the panel, never as a traceback. Each step is a plain
method (`validate()`, `export()`, `deploy()`) so it can run and be tested without a browser;
the buttons run them, Deploy in a background thread, and every view changes by assignment.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import yaml

from kernel_runtime.manifest import ApplicationError, Problem, load_application
from ls_workbench.deploy.apply import Deployer, DeployEvent
from ls_workbench.deploy.errors import DeployError
from ls_workbench.deploy.kubeconfig import list_contexts
from ls_workbench.deploy.options import DEFAULT_IMAGE, DeployOptions
from ls_workbench.deploy.workflow import deploy_folder, render_folder
from ls_workbench.export import ExportError, export_application

CellOf = Callable[[Problem], str | None]
_INDEX = re.compile(r"^(pipeline|gateways|topics)\[(\d+)\]")


def _application_error(error: BaseException) -> ApplicationError | None:
    """The ApplicationError behind an error (the Workbench wraps it in its own)."""
    while error is not None:
        if isinstance(error, ApplicationError):
            return error
        error = error.__cause__
    return None


class DeployPanel(widgets.VBox):
    """Target (folder or cluster), kubeconfig context and namespace; Validate, Export, Deploy."""

    def __init__(
        self,
        workbench: Any = None,
        *,
        app_dir: str | Path | None = None,
        instance: Any = None,
        secrets: Any = None,
        kubeconfig: str | Path | None = None,
        cell_of: CellOf | None = None,
        deployer_factory: Callable[[str | None], Deployer] | None = None,
    ) -> None:
        if workbench is None and app_dir is None:
            raise ValueError("DeployPanel needs a Workbench or an app_dir")
        self.workbench = workbench
        self._app_dir = Path(app_dir) if app_dir is not None else None
        self._instance = instance
        self._secrets = secrets
        self.kubeconfig = kubeconfig
        self.cell_of = cell_of or getattr(workbench, "cell_of", None)
        self.deployer_factory = deployer_factory
        self._thread: threading.Thread | None = None

        self.target = widgets.ToggleButtons(options=["folder", "cluster"], value="folder")
        self.folder = widgets.Text(
            value=str(self._default_folder()),
            description="Folder",
            layout=widgets.Layout(width="min(100%, 48em)"),
        )
        self.context = widgets.Dropdown(description="Context", options=[])
        self.namespace = widgets.Text(description="Namespace", placeholder=self.app_name)
        self.image = widgets.Text(value=DEFAULT_IMAGE, description="Image")
        self.validate_button = widgets.Button(description="Validate", icon="check")
        self.export_button = widgets.Button(description="Export", icon="folder")
        self.deploy_button = widgets.Button(description="Deploy", icon="cloud-upload")
        self.message = widgets.HTML()
        self.problems = widgets.HTML()
        self.progress = widgets.VBox()
        self.rollout = widgets.HTML()
        self.bars: dict[str, widgets.IntProgress] = {}
        self._rollouts: dict[str, str] = {}
        self.validate_button.on_click(lambda _: self.validate())
        self.export_button.on_click(lambda _: self.export())
        self.deploy_button.on_click(lambda _: self.deploy_in_background())
        self.target.observe(lambda _: self._show_target(), names="value")
        self._load_contexts()
        self._name_for_css()
        buttons = widgets.HBox([self.validate_button, self.export_button, self.deploy_button])
        self.cluster_box = widgets.VBox([self.context, self.namespace, self.image])
        super().__init__(
            [
                self.target,
                self.folder,
                self.cluster_box,
                buttons,
                self.message,
                self.problems,
                self.progress,
                self.rollout,
            ]
        )
        self._show_target()
        self.add_class("lsw-deploy-panel")

    def _name_for_css(self) -> None:
        """Stable class names (`lsw-deploy-<part>`), so a page or a test finds each part."""
        for part in (
            "target",
            "folder",
            "context",
            "namespace",
            "image",
            "message",
            "problems",
            "progress",
            "rollout",
        ):
            getattr(self, part).add_class(f"lsw-deploy-{part}")
        for step in ("validate", "export", "deploy"):
            getattr(self, f"{step}_button").add_class(f"lsw-deploy-{step}")

    # ---- what the panel works on ---------------------------------------------------------

    @property
    def app_name(self) -> str:
        if self.workbench is not None:
            return str(self.workbench.name)
        assert self._app_dir is not None
        return self._app_dir.name

    @property
    def app_dir(self) -> Path:
        return Path(self.workbench.app_dir) if self.workbench is not None else self._app_dir

    @property
    def instance(self) -> Any:
        if self.workbench is not None:
            instance = self.workbench.instance
            return instance if instance.to_yaml_data() else None
        return self._instance

    @property
    def secrets(self) -> Any:
        return self.workbench.secrets if self.workbench is not None else self._secrets

    def _default_folder(self) -> Path:
        if self.workbench is not None:
            return Path(self.workbench.workdir) / "export" / self.workbench.name
        return Path.cwd() / "export" / self.app_name

    def _load_contexts(self) -> None:
        try:
            contexts = list_contexts(self.kubeconfig)
        except DeployError as error:
            self._say(f"kubeconfig: {error}", "error")
            contexts = []
        self.context.options = [c.name for c in contexts]
        current = next((c for c in contexts if c.current), None)
        if current is not None:
            self.context.value = current.name

    def _show_target(self) -> None:
        cluster = self.target.value == "cluster"
        self.cluster_box.layout.display = None if cluster else "none"
        self.folder.layout.display = "none" if cluster else None
        self.deploy_button.disabled = not cluster
        self.export_button.disabled = cluster

    # ---- showing -------------------------------------------------------------------------

    def _say(self, text: str, kind: str = "info") -> None:
        color = {"error": "#b00020", "ok": "#1b5e20"}.get(kind, "inherit")
        lines = "<br>".join(html.escape(line) for line in text.splitlines())
        self.message.value = f'<div class="lsw-deploy-{kind}" style="color:{color}">{lines}</div>'

    def _cell(self, problem: Problem) -> str:
        """Which cell defines what a problem is about (the notebook's mapping, else ours)."""
        if self.cell_of is not None:
            found = self.cell_of(problem)
            if found:
                return found
        where = problem.file + (f":{problem.line}" if problem.line else "")
        match = _INDEX.match(problem.path or "")
        if self.workbench is None or match is None:
            return where or "application"
        kind, index = match.group(1), int(match.group(2))
        if kind == "pipeline":
            agent_id = self._step_id(problem.file, index)
            return f"%%langstream_agent {agent_id}" if agent_id else f"%%langstream_agent ({where})"
        return {"gateways": "%%langstream_gateway", "topics": "%%langstream_topic"}[kind]

    def _step_id(self, file: str, index: int) -> str | None:
        """The id of the agent at `index` of a pipeline file: the cells write one step each."""
        try:
            steps = yaml.safe_load((self.app_dir / file).read_text(encoding="utf-8"))["pipeline"]
            return str(steps[index].get("id") or "") or None
        except (OSError, KeyError, IndexError, TypeError, AttributeError, yaml.YAMLError):
            return None

    def show_problems(self, problems: list[Problem]) -> list[str]:
        rows = [
            f"{self._cell(p)}: {p.message}" + (f" — {p.hint}" if p.hint else "") for p in problems
        ]
        items = "".join(f"<li>{html.escape(row)}</li>" for row in rows)
        self.problems.value = f"<ul>{items}</ul>" if rows else ""
        return rows

    # ---- the steps -----------------------------------------------------------------------

    def validate(self) -> list[str]:
        """Every problem, each with its cell; for a cluster target also what blocks a deploy."""
        self.problems.value = ""
        try:
            if self.workbench is not None:
                self.workbench.application()
            else:
                load_application(self.app_dir, instance=self.instance, secrets=self.secrets)
            if self.target.value == "cluster":
                render_folder(
                    self.app_dir,
                    instance=self.instance,
                    secrets=self.secrets,
                    options=self._options(),
                )
        except Exception as error:  # noqa: BLE001 - shown in the panel, never a traceback
            application_error = _application_error(error)
            if application_error is None:
                self._say(str(error), "error")
                return [str(error)]
            rows = self.show_problems(list(application_error.problems))
            self._say(f"{len(rows)} problem(s)", "error")
            return rows
        self._say("valid", "ok")
        return []

    def export(self) -> Any:
        try:
            report = export_application(
                self.app_dir, self.folder.value, instance=self.instance, secrets=self.secrets
            )
        except ApplicationError as error:
            self.show_problems(list(error.problems))
            self._say("the application has problems; nothing was written", "error")
            return None
        except (ExportError, OSError, ValueError) as error:
            self._say(str(error), "error")
            return None
        self._say(report.summary(), "ok")
        return report

    def _options(self) -> DeployOptions:
        return DeployOptions(
            image=self.image.value or DEFAULT_IMAGE,
            namespace=self.namespace.value or None,
            application_id=self.app_name,
        )

    def on_event(self, event: DeployEvent) -> None:
        """A bar per object: dry run and apply fill it, the rollout counts ready replicas."""
        key = str(event.ref)
        bar = self.bars.get(key)
        if bar is None:
            bar = widgets.IntProgress(value=0, min=0, max=3, description=event.ref.kind)
            bar.tooltip = key
            bar.add_class("lsw-deploy-bar")
            self.bars[key] = bar
            self.progress.children = (*self.progress.children, bar)
        if event.phase == "rollout":
            bar.max = max(event.desired, 1)
            bar.value = min(event.ready, bar.max)
            self._rollouts[key] = str(event)  # the latest state of every workload
            self.rollout.value = "<br>".join(html.escape(line) for line in self._rollouts.values())
        else:
            bar.value = min(bar.max, {"dry-run": 1, "apply": 3}.get(event.phase, bar.value))
        bar.bar_style = (
            "danger"
            if event.state == "failed"
            else (
                "success"
                if event.state in ("ready", "created", "configured", "unchanged")
                else "info"
            )
        )

    def deploy(self, *, timeout: float = 300.0) -> Any:
        """Export, dry-run, apply and watch; the outcome, or None with the error shown."""
        self.bars = {}
        self._rollouts = {}
        self.progress.children = ()
        self.rollout.value = ""
        self._say("deploying…")
        try:
            deployer = self.deployer_factory(self.context.value) if self.deployer_factory else None
            outcome = deploy_folder(
                self.app_dir,
                instance=self.instance,
                secrets=self.secrets,
                options=self._options(),
                context=self.context.value or None,
                kubeconfig=self.kubeconfig,
                timeout=timeout,
                on_event=self.on_event,
                deployer=deployer,
            )
        except ApplicationError as error:
            self.show_problems(list(error.problems))
            self._say("the application has problems; nothing was deployed", "error")
            return None
        except Exception as error:  # noqa: BLE001 - shown in the panel, never a traceback
            self._say(str(error), "error")
            return None
        self._say(outcome.summary(), "ok")
        return outcome

    def deploy_in_background(self) -> None:
        """What the button runs: the kernel stays free while the rollout is watched."""
        if self._thread is not None and self._thread.is_alive():
            self._say("a deploy is already running")
            return
        self._thread = threading.Thread(target=self.deploy, name="ls-workbench-deploy", daemon=True)
        self._thread.start()
