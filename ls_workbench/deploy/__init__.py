"""Kubernetes deploy: render an application's objects, apply them, watch the rollout.

`render.py` builds the objects with the official `kubernetes` client's models,
`langstream_cr.py` the LangStream `Application` custom resource instead, `apply.py` sends
them (server-side dry run, then server-side apply) and watches, `kubeconfig.py` reads
contexts and namespaces, `workflow.py` runs export + render + deploy for the CLI, the
widget and `Workbench.deploy`.
"""

from ls_workbench.deploy.errors import DeployError
from ls_workbench.deploy.options import DeployOptions
from ls_workbench.deploy.render import RenderedApplication, render_application
from ls_workbench.deploy.workflow import (
    DeployOutcome,
    deploy_folder,
    deploy_workbench,
    render_folder,
    undeploy_folder,
)

__all__ = [
    "DeployError",
    "DeployOptions",
    "DeployOutcome",
    "RenderedApplication",
    "deploy_folder",
    "deploy_workbench",
    "render_application",
    "render_folder",
    "undeploy_folder",
]
