"""Contexts and namespaces from kubeconfig, and an API client for the one chosen.

The file is `config_file`, else $KUBECONFIG, else ~/.kube/config, as kubectl reads it.
Inside a pod with no kubeconfig, the pod's service account is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client, config

from ls_workbench.deploy.errors import DeployError


@dataclass(frozen=True)
class KubeContext:
    """A kubeconfig context: its name, cluster, and the namespace it defaults to."""

    name: str
    cluster: str | None
    namespace: str | None
    current: bool


def kubeconfig_path(config_file: str | os.PathLike[str] | None = None) -> Path:
    if config_file is not None:
        return Path(config_file)
    configured = os.environ.get("KUBECONFIG")
    if configured:
        return Path(configured.split(os.pathsep)[0])
    return Path.home() / ".kube" / "config"


def list_contexts(config_file: str | os.PathLike[str] | None = None) -> list[KubeContext]:
    """Every context of the kubeconfig; empty when there is no kubeconfig file."""
    path = kubeconfig_path(config_file)
    if not path.is_file():
        return []
    try:
        contexts, current = config.list_kube_config_contexts(str(path))
    except config.ConfigException as error:
        raise DeployError(f"{path}: not a usable kubeconfig ({error})") from error
    current_name = (current or {}).get("name")
    return [
        KubeContext(
            name=entry["name"],
            cluster=(entry.get("context") or {}).get("cluster"),
            namespace=(entry.get("context") or {}).get("namespace"),
            current=entry["name"] == current_name,
        )
        for entry in contexts or []
    ]


def api_client(
    context: str | None = None, config_file: str | os.PathLike[str] | None = None
) -> client.ApiClient:
    """A client for `context` (default: the current one); DeployError when none is usable."""
    path = kubeconfig_path(config_file)
    if not path.is_file():
        if context is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
            configuration = client.Configuration()
            config.load_incluster_config(client_configuration=configuration)
            return client.ApiClient(configuration)
        raise DeployError(
            f"no kubeconfig at {path}",
            ["set KUBECONFIG or pass --kubeconfig, or use --output yaml to deploy by hand"],
        )
    names = [c.name for c in list_contexts(path)]
    if context is not None and context not in names:
        raise DeployError(
            f"context {context!r} is not in {path}",
            [f"known contexts: {', '.join(names) or 'none'}"],
        )
    try:
        return config.new_client_from_config(
            config_file=str(path), context=context, persist_config=False
        )
    except config.ConfigException as error:
        raise DeployError(
            f"{path}: cannot use context {context or '(current)'}: {error}"
        ) from error
