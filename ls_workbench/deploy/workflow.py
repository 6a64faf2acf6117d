"""Export, render and deploy in one call: what the CLI, the widget and `Workbench.deploy` run.

The application is always exported first (validated, literal secrets turned into
references) into a temporary folder, and that folder is what the ConfigMap carries, so a
deploy ships exactly what `export` writes and never a secret in clear outside the Secret.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_runtime.manifest import Instance, Secrets
from ls_workbench.deploy.apply import Deployer, DeployEvent, DeployResult, EventHandler
from ls_workbench.deploy.errors import DeployError
from ls_workbench.deploy.k8s_http import ObjectRef
from ls_workbench.deploy.kubeconfig import api_client
from ls_workbench.deploy.options import DeployOptions
from ls_workbench.deploy.render import RenderedApplication, application_files, render_application
from ls_workbench.export import export_application

PathLike = str | os.PathLike[str]


@dataclass
class DeployOutcome:
    """What a deploy did; `dry_run` outcomes changed nothing."""

    rendered: RenderedApplication
    dry_run: bool
    result: DeployResult | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        name = f"{self.rendered.application_id} in namespace {self.rendered.namespace}"
        if self.dry_run:
            return f"dry run of {name}: {len(self.rendered.objects)} object(s) accepted"
        assert self.result is not None
        counts: dict[str, int] = {}
        for action in self.result.actions.values():
            counts[action] = counts.get(action, 0) + 1
        done = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        return f"deployed {name}: {done}" + (" (ready)" if self.result.ready else "")


def render_folder(
    app_dir: PathLike,
    *,
    instance: PathLike | Instance | None = None,
    secrets: PathLike | Secrets | None = None,
    requirements: Iterable[str] | None = None,
    options: DeployOptions | None = None,
) -> tuple[RenderedApplication, list[str]]:
    """Export `app_dir` to a temporary folder and render it; returns it and the export's and
    the rendering's warnings."""
    options = options or DeployOptions()
    source = Path(app_dir)
    if options.application_id is None:
        options = DeployOptions(**{**vars(options), "application_id": source.name})
    with tempfile.TemporaryDirectory(prefix="ls-workbench-deploy-") as workdir:
        report = export_application(
            source,
            Path(workdir) / source.name,
            instance=instance,
            secrets=secrets,
            requirements=requirements,
        )
        assert report.application is not None
        rendered = render_application(
            report.application, options, files=application_files(report.out_dir)
        )
    return rendered, [*report.warnings, *rendered.warnings]


def deploy_folder(
    app_dir: PathLike,
    *,
    instance: PathLike | Instance | None = None,
    secrets: PathLike | Secrets | None = None,
    requirements: Iterable[str] | None = None,
    options: DeployOptions | None = None,
    context: str | None = None,
    kubeconfig: PathLike | None = None,
    dry_run: bool = False,
    wait: bool = True,
    timeout: float = 300.0,
    force_conflicts: bool = False,
    on_event: EventHandler | None = None,
    deployer: Deployer | None = None,
) -> DeployOutcome:
    """Export, render, then dry-run only (`dry_run`) or deploy and watch the rollout."""
    rendered, warnings = render_folder(
        app_dir, instance=instance, secrets=secrets, requirements=requirements, options=options
    )
    if deployer is None:
        deployer = Deployer(api_client(context, kubeconfig), force_conflicts=force_conflicts)
    handler = on_event or (lambda event: None)
    if dry_run:
        problems = check(deployer, rendered, handler)
        if problems:
            raise DeployError("the dry run found problems", problems)
        return DeployOutcome(rendered, True, warnings=warnings)
    result = deployer.deploy(rendered, timeout=timeout, wait=wait, on_event=handler)
    return DeployOutcome(rendered, False, result=result, warnings=warnings)


def check(deployer: Deployer, rendered: RenderedApplication, on_event: EventHandler) -> list[str]:
    """Dry-run every object; objects of a namespace deploy would create cannot be checked
    before it exists (the API server answers 404), so they are reported as skipped."""
    manifests = rendered.manifests()
    missing = {
        m["metadata"]["name"]
        for m in manifests
        if m["kind"] == "Namespace" and deployer.get(ObjectRef.of(m)) is None
    }
    checked = [m for m in manifests if m["metadata"].get("namespace") not in missing]
    for manifest in manifests:
        if manifest not in checked:
            on_event(
                DeployEvent(
                    ObjectRef.of(manifest),
                    "dry-run",
                    "skipped",
                    detail="its namespace does not exist yet; deploy creates it first",
                )
            )
    return deployer.dry_run(checked, on_event)


def undeploy_folder(
    app_dir: PathLike,
    *,
    instance: PathLike | Instance | None = None,
    secrets: PathLike | Secrets | None = None,
    options: DeployOptions | None = None,
    context: str | None = None,
    kubeconfig: PathLike | None = None,
    delete_volumes: bool = False,
    on_event: EventHandler | None = None,
    deployer: Deployer | None = None,
) -> list[ObjectRef]:
    """Delete what `deploy_folder` created for the same folder and options."""
    rendered, _ = render_folder(app_dir, instance=instance, secrets=secrets, options=options)
    if deployer is None:
        deployer = Deployer(api_client(context, kubeconfig))
    return deployer.undeploy(rendered, delete_volumes=delete_volumes, on_event=on_event)


def deploy_workbench(workbench: Any, **settings: Any) -> DeployOutcome:
    """`Workbench.deploy(namespace=..., context=..., image=..., dry_run=...)`."""
    option_names = set(DeployOptions.__dataclass_fields__)
    options = DeployOptions(**{k: v for k, v in settings.items() if k in option_names})
    rest = {k: v for k, v in settings.items() if k not in option_names}
    workbench.application()  # definition problems are reported as the notebook sees them
    instance = rest.pop("instance", workbench.instance)
    return deploy_folder(
        workbench.app_dir,
        instance=instance,
        secrets=rest.pop("secrets", workbench.secrets),
        requirements=rest.pop("requirements", getattr(workbench, "requirements", None)),
        options=DeployOptions(
            **{**vars(options), "application_id": options.application_id or workbench.name}
        ),
        **rest,
    )
