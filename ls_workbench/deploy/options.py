"""What a deploy can be told: image, namespace, tenant, ports, storage classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata


def _version() -> str:
    try:
        return metadata.version("ls-workbench")
    except metadata.PackageNotFoundError:
        return "latest"


# the image the project's Dockerfile builds: `docker build -t ls-workbench:<version> .`
DEFAULT_IMAGE = f"ls-workbench:{_version()}"
HEALTH_PORT = 8080
GATEWAY_PORT = 8091
SERVICE_PORT = 8000
APP_MOUNT = "/app"
RUNTIME_CONFIG_MOUNT = "/etc/ls-workbench"
STATE_MOUNT = "/state"
DEPS_MOUNT = "/deps"
# LangStream's defaults (AgentResourceUnitConfiguration): one size unit is 0.5 CPU, 512 MB
CPU_MILLIS_PER_UNIT = 500
MEMORY_MB_PER_UNIT = 512
RUN_AS_USER = 10000


@dataclass
class DeployOptions:
    """How to render an application for Kubernetes.

    `namespace` defaults to the application id. `storage_classes` maps a disk `type` to a
    StorageClass name; the type `default` (LangStream's default) uses the cluster's default
    StorageClass, any other unmapped type is used as the StorageClass name itself.
    """

    image: str = DEFAULT_IMAGE
    image_pull_policy: str = "IfNotPresent"
    namespace: str | None = None
    application_id: str | None = None
    tenant: str = "default"
    create_namespace: bool = True
    health_port: int = HEALTH_PORT
    gateway_port: int = GATEWAY_PORT
    storage_classes: dict[str, str] = field(default_factory=dict)
    # each pod running its own embedded broker would cut the pipeline into pieces
    allow_embedded_broker: bool = False
