"""Export and deploy live in modules written beside this one; call them when they exist.

`ls_workbench.export` writes the application folder with instance and secrets files beside it;
`ls_workbench.deploy` renders and applies it to Kubernetes. The Workbench hands them itself
(its `app_dir`, `application()`, `instance`, `secrets`), so both see exactly what runs.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ls_workbench.errors import NotAvailable

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench

EXPORT_FUNCTIONS = ("export_workbench", "export_application")
DEPLOY_FUNCTIONS = ("deploy_workbench",)


def _function(module_name: str, names: tuple[str, ...], feature: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise NotAvailable(
                f"{feature} is not available yet in this installation ({module_name} is "
                "missing); the application folder the notebook runs is at Workbench.app_dir"
            ) from None
        raise
    for name in names:
        function = getattr(module, name, None)
        if callable(function):
            return function
    raise NotAvailable(
        f"{feature}: {module_name} has none of {', '.join(names)}; update ls-workbench"
    )


def _call(function: Any, workbench: Workbench, *args: Any, **options: Any) -> Any:
    """Pass only the options the function declares, so both sides can grow independently."""
    parameters = inspect.signature(function).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        options = {k: v for k, v in options.items() if k in parameters}
    return function(workbench, *args, **options)


def default_export_dir(workbench: Workbench) -> Path:
    """`<workdir>/export/<app>`; instance.yaml and secrets.yaml go in `<workdir>/export`."""
    return workbench.workdir / "export" / workbench.name


def call_export(workbench: Workbench, out_dir: str | Path | None, **options: Any) -> Any:
    function = _function("ls_workbench.export", EXPORT_FUNCTIONS, "export")
    target = Path(out_dir) if out_dir is not None else default_export_dir(workbench)
    if function.__name__ == "export_application":
        workbench.application()  # report definition problems as the notebook sees them
        options = {
            "instance": workbench.instance,
            "secrets": workbench.secrets,
            "requirements": list(workbench.requirements),
            **options,
        }
        parameters = inspect.signature(function).parameters
        options = {k: v for k, v in options.items() if k in parameters}
        return function(workbench.app_dir, target, **options)
    return _call(function, workbench, target, **options)


def call_deploy(workbench: Workbench, **options: Any) -> Any:
    function = _function("ls_workbench.deploy", DEPLOY_FUNCTIONS, "deploy")
    return _call(function, workbench, **options)
