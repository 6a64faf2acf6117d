"""Render an application as Kubernetes objects, built with the official client's models.

    rendered = render_application(load_application("out/my-app", instance=..., secrets=...))
    print(rendered.to_yaml())

Objects: the Namespace; a Secret with instance.yaml and secrets.yaml; a ConfigMap with the
application folder; per executor (composable agents fused as LangStream fuses them) a
StatefulSet with `replicas` = parallelism, each pod running one replica, and a PVC template
when an agent has `resources.disk.enabled`; a headless Service for `python-service`
executors; a Deployment and a Service for the gateway when the application has gateways.
The same application always renders the same objects, so re-applying changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client

from kernel_runtime.gateway.proxy import configured_port
from kernel_runtime.manifest import Application
from kernel_runtime.manifest.dump import to_yaml
from kernel_runtime.plan import ExecutorPlan, plan_executors
from ls_workbench.deploy import pods
from ls_workbench.deploy.errors import DeployError
from ls_workbench.deploy.names import (
    MAX_STATEFULSET_NAME,
    agent_selector,
    app_labels,
    dns_name,
)
from ls_workbench.deploy.options import SERVICE_PORT, DeployOptions

CONFIG_MAP_LIMIT = 1_000_000  # bytes; the API server refuses larger ConfigMaps
SKIPPED_NAMES = frozenset({"__pycache__", ".ls-workbench", ".ipynb_checkpoints", ".git"})
CHECKSUM_ANNOTATION = "ls-workbench/config-checksum"
_KEY_INVALID = re.compile(r"[^-._a-zA-Z0-9]")


@dataclass
class RenderedApplication:
    """The objects of one application, in the order they are applied."""

    application_id: str
    namespace: str
    objects: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def manifests(self) -> list[dict[str, Any]]:
        """Plain dicts in Kubernetes spelling (camelCase), as sent to the API server."""
        api = client.ApiClient()
        return [api.sanitize_for_serialization(obj) for obj in self.objects]

    def to_yaml(self) -> str:
        """A multi-document YAML stream of every object (`--output yaml`)."""
        return "".join(f"---\n{to_yaml(manifest)}" for manifest in self.manifests())


def application_files(app_dir: Path) -> dict[str, bytes]:
    """Every file of the application folder by relative path (no caches, no state)."""
    files: dict[str, bytes] = {}
    for path in sorted(app_dir.rglob("*")):
        relative = path.relative_to(app_dir)
        if not path.is_file() or SKIPPED_NAMES & set(relative.parts):
            continue
        if len(relative.parts) == 1 and path.name in ("instance.yaml", "secrets.yaml"):
            continue
        if path.suffix == ".pyc":
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def _config_map_key(relative: str, used: set[str]) -> str:
    key = _KEY_INVALID.sub("_", relative.replace("/", "__"))
    if key in used:
        key = f"{key}.{hashlib.sha1(relative.encode()).hexdigest()[:6]}"
    used.add(key)
    return key


def _checksum(*parts: dict[str, str] | None) -> str:
    digest = hashlib.sha256()
    for part in parts:
        for key, value in sorted((part or {}).items()):
            digest.update(f"{key}\0{value}\0".encode())
    return digest.hexdigest()[:16]


def _meta(
    name: str, namespace: str | None, labels: dict[str, str], annotations: dict | None = None
) -> client.V1ObjectMeta:
    return client.V1ObjectMeta(
        name=name, namespace=namespace, labels=dict(labels), annotations=annotations
    )


def _app_config_map(
    name: str, namespace: str, application_id: str, files: dict[str, bytes]
) -> tuple[client.V1ConfigMap, dict[str, str]]:
    """The folder as a ConfigMap; returns it and key -> path for the volume's `items`."""
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    items: dict[str, str] = {}
    used: set[str] = set()
    for relative, content in files.items():
        key = _config_map_key(relative, used)
        items[key] = relative
        try:
            data[key] = content.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(content).decode("ascii")
    size = sum(len(v.encode()) for v in data.values()) + sum(len(v) for v in binary.values())
    if size > CONFIG_MAP_LIMIT:
        largest = sorted(files, key=lambda path: -len(files[path]))[:3]
        raise DeployError(
            f"the application folder is {size} bytes, more than a ConfigMap holds "
            f"({CONFIG_MAP_LIMIT}); largest files: {', '.join(largest)}. Move large files "
            "(python/lib, models, data) into the image, or install packages through "
            "python/requirements.txt"
        )
    config_map = client.V1ConfigMap(
        api_version="v1",
        kind="ConfigMap",
        metadata=_meta(name, namespace, app_labels(application_id, "config")),
        data=data or None,
        binary_data=binary or None,
    )
    return config_map, items


def _runtime_secret(name: str, namespace: str, app: Application, application_id: str):
    data: dict[str, str] = {}
    if app.instance.to_yaml_data():
        data["instance.yaml"] = to_yaml({"instance": app.instance.to_yaml_data()})
    if app.secrets.secrets:
        data["secrets.yaml"] = to_yaml({"secrets": [s.to_yaml_data() for s in app.secrets.secrets]})
    secret = client.V1Secret(
        api_version="v1",
        kind="Secret",
        metadata=_meta(name, namespace, app_labels(application_id, "config")),
        type="Opaque",
        data={key: base64.b64encode(v.encode()).decode("ascii") for key, v in data.items()} or None,
    )
    return secret, data


def _check_broker(app: Application, options: DeployOptions) -> None:
    cluster = app.instance.streaming_cluster
    if options.allow_embedded_broker or (cluster is not None and cluster.type == "kafka"):
        return
    raise DeployError(
        "the instance has no Kafka streamingCluster: every pod would run its own embedded "
        "broker and no record would pass between agents",
        [
            "pass an instance file (-i) with `streamingCluster: {type: kafka, configuration: "
            "{admin: {bootstrap.servers: ...}}}` reachable from the cluster"
        ],
    )


def _executor_name(application_id: str, plan: ExecutorPlan) -> str:
    """The StatefulSet's name, and its headless Service's (a service agent's DNS name)."""
    return dns_name(f"{application_id}-{plan.id}", MAX_STATEFULSET_NAME)


def _service_agents(
    plans: list[ExecutorPlan], application_id: str, namespace: str
) -> dict[str, str]:
    """`--service-agent` values for the gateway: each service agent's headless Service."""
    return {
        plan.first.id: f"{_executor_name(application_id, plan)}.{namespace}.svc:"
        f"{pods.service_port(plan)}"
        for plan in plans
        if plan.kind == "service"
    }


def _service_warnings(plans: list[ExecutorPlan]) -> list[str]:
    """Service agents that the gateway's pods cannot reach: on loopback, or on no fixed port."""
    warnings = []
    for plan in plans:
        if plan.kind != "service":
            continue
        configuration = plan.first.configuration
        if configured_port(configuration) is None:
            warnings.append(
                f"service agent {plan.first.id} has configuration port "
                f"{configuration.get('port')!r}, which no Service can expose; its Service "
                f"points at port {SERVICE_PORT} (LangStream's): listen there, or on a fixed port"
            )
        host = str(configuration.get("host", ""))
        if host.startswith("127.") or host in ("localhost", "::1"):
            warnings.append(
                f"service agent {plan.first.id} has configuration host {host!r}: in its pod "
                "that is reachable only from inside the pod, so the gateway cannot proxy to "
                "it; listen on all interfaces there (e.g. no `host`, or host: 0.0.0.0)"
            )
    return warnings


def _agent_objects(
    plan: ExecutorPlan,
    application_id: str,
    namespace: str,
    options: DeployOptions,
    pod_volumes: list[client.V1Volume],
    run_args: list[str],
    checksum: str,
    with_deps: bool,
) -> list[Any]:
    name = _executor_name(application_id, plan)
    selector = agent_selector(application_id, plan.id)
    labels = {**app_labels(application_id, "agent"), **selector}
    claim = pods.state_claim(plan, labels, options)
    container = pods.agent_container(
        plan, run_args, options, with_deps=with_deps, with_state=claim is not None
    )
    init = [pods.requirements_installer(options)] if with_deps else None
    statefulset = client.V1StatefulSet(
        api_version="apps/v1",
        kind="StatefulSet",
        metadata=_meta(name, namespace, labels),
        spec=client.V1StatefulSetSpec(
            replicas=plan.parallelism,
            service_name=name,
            pod_management_policy="Parallel",
            selector=client.V1LabelSelector(match_labels=dict(selector)),
            template=client.V1PodTemplateSpec(
                metadata=_meta(
                    name=None,
                    namespace=None,
                    labels=labels,
                    annotations={CHECKSUM_ANNOTATION: checksum},
                ),
                spec=client.V1PodSpec(
                    containers=[container],
                    init_containers=init,
                    volumes=list(pod_volumes),
                    security_context=pods.pod_security(),
                    termination_grace_period_seconds=60,
                    automount_service_account_token=False,
                ),
            ),
            volume_claim_templates=[claim] if claim is not None else None,
        ),
    )
    objects: list[Any] = [statefulset]
    if plan.kind == "service":
        objects.append(
            client.V1Service(
                api_version="v1",
                kind="Service",
                metadata=_meta(name, namespace, labels),
                spec=client.V1ServiceSpec(
                    cluster_ip="None",
                    selector=dict(selector),
                    ports=[
                        client.V1ServicePort(
                            name="service", port=pods.service_port(plan), target_port="service"
                        )
                    ],
                ),
            )
        )
    return objects


def _gateway_objects(
    application_id: str,
    namespace: str,
    options: DeployOptions,
    pod_volumes: list[client.V1Volume],
    run_args: list[str],
    checksum: str,
    with_deps: bool,
    service_agents: dict[str, str],
) -> list[Any]:
    name = dns_name(f"{application_id}-gateway", MAX_STATEFULSET_NAME)
    labels = app_labels(application_id, "gateway")
    selector = {k: labels[k] for k in ("langstream-application", "app.kubernetes.io/component")}
    init = [pods.requirements_installer(options)] if with_deps else None
    deployment = client.V1Deployment(
        api_version="apps/v1",
        kind="Deployment",
        metadata=_meta(name, namespace, labels),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels=selector),
            template=client.V1PodTemplateSpec(
                metadata=_meta(None, None, labels, {CHECKSUM_ANNOTATION: checksum}),
                spec=client.V1PodSpec(
                    containers=[
                        pods.gateway_container(
                            run_args, options, with_deps=with_deps, service_agents=service_agents
                        )
                    ],
                    init_containers=init,
                    volumes=list(pod_volumes),
                    security_context=pods.pod_security(),
                    automount_service_account_token=False,
                ),
            ),
        ),
    )
    service = client.V1Service(
        api_version="v1",
        kind="Service",
        metadata=_meta(name, namespace, labels),
        spec=client.V1ServiceSpec(
            selector=selector,
            ports=[
                client.V1ServicePort(name="http", port=options.gateway_port, target_port="http")
            ],
        ),
    )
    return [deployment, service]


def render_application(
    app: Application,
    options: DeployOptions | None = None,
    files: dict[str, bytes] | None = None,
) -> RenderedApplication:
    """Every object that runs `app` on Kubernetes (placeholders are resolved in the pods).

    `files` defaults to the application folder's files. Raises DeployError when the
    application cannot run there (no Kafka instance, folder too large for a ConfigMap).
    """
    options = options or DeployOptions()
    _check_broker(app, options)
    application_id = dns_name(options.application_id or app.app_dir.name, 40)
    namespace = options.namespace or application_id
    files = application_files(app.app_dir) if files is None else files
    with_deps = "python/requirements.txt" in files
    config_map, items = _app_config_map(f"{application_id}-app", namespace, application_id, files)
    secret, secret_data = _runtime_secret(
        f"{application_id}-runtime", namespace, app, application_id
    )
    checksum = _checksum(config_map.data, config_map.binary_data, secret_data)
    pod_volumes = pods.volumes(config_map.metadata.name, items, secret.metadata.name, with_deps)
    run_args = pods.run_arguments(
        options.application_id or app.app_dir.name,
        options,
        "instance.yaml" in secret_data,
        "secrets.yaml" in secret_data,
    )
    objects: list[Any] = []
    if options.create_namespace:
        objects.append(
            client.V1Namespace(
                api_version="v1",
                kind="Namespace",
                metadata=_meta(namespace, None, app_labels(application_id, "namespace")),
            )
        )
    objects += [secret, config_map]
    # as the pods will see them: ports and hosts of service agents may be ${globals...}
    plans = plan_executors(app.resolved())
    for plan in plans:
        objects += _agent_objects(
            plan, application_id, namespace, options, pod_volumes, run_args, checksum, with_deps
        )
    if app.gateways:
        objects += _gateway_objects(
            application_id,
            namespace,
            options,
            pod_volumes,
            run_args,
            checksum,
            with_deps,
            _service_agents(plans, application_id, namespace),
        )
    return RenderedApplication(application_id, namespace, objects, _service_warnings(plans))
