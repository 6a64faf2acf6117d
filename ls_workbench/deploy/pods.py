"""Pod templates of agents and of the gateway: command, resources, probes, volumes, security.

Every pod runs the project's image as a non-root user with the application folder mounted
read-only at /app (from the ConfigMap) and the instance and secrets files at
/etc/ls-workbench (from the Secret). `python/requirements.txt`, when the application has
one, is installed by an init container into an emptyDir on PYTHONPATH.
"""

from __future__ import annotations

from kubernetes import client

from kernel_runtime.gateway.proxy import configured_port
from kernel_runtime.manifest.models.pipeline import parse_disk_size
from kernel_runtime.plan import ExecutorPlan
from ls_workbench.deploy.options import (
    APP_MOUNT,
    CPU_MILLIS_PER_UNIT,
    DEPS_MOUNT,
    MEMORY_MB_PER_UNIT,
    RUN_AS_USER,
    RUNTIME_CONFIG_MOUNT,
    SERVICE_PORT,
    STATE_MOUNT,
    DeployOptions,
)

STATE_VOLUME = "state"


def resources(size: int | None) -> client.V1ResourceRequirements:
    """CPU and memory from LangStream's `size` units; requests equal limits, as LangStream."""
    units = size or 1
    amounts = {"cpu": f"{units * CPU_MILLIS_PER_UNIT}m", "memory": f"{units * MEMORY_MB_PER_UNIT}M"}
    return client.V1ResourceRequirements(requests=dict(amounts), limits=dict(amounts))


def disk_quantity(size: str | None) -> str:
    """A disk size as LangStream reads it (`256M` is 256 MiB) as a Kubernetes quantity."""
    size_bytes = parse_disk_size(size) or parse_disk_size("256M")
    for suffix, factor in (("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024)):
        if size_bytes % factor == 0:
            return f"{size_bytes // factor}{suffix}"
    return str(size_bytes)


def _probe(path: str, port: str) -> client.V1Probe:
    return client.V1Probe(
        http_get=client.V1HTTPGetAction(path=path, port=port),
        initial_delay_seconds=5,
        period_seconds=10,
        timeout_seconds=5,
        failure_threshold=3,
    )


def _tcp_probe(port: str) -> client.V1Probe:
    return client.V1Probe(
        tcp_socket=client.V1TCPSocketAction(port=port),
        initial_delay_seconds=5,
        period_seconds=10,
        timeout_seconds=5,
        failure_threshold=3,
    )


def _container_security() -> client.V1SecurityContext:
    return client.V1SecurityContext(
        allow_privilege_escalation=False,
        run_as_non_root=True,
        capabilities=client.V1Capabilities(drop=["ALL"]),
    )


def pod_security() -> client.V1PodSecurityContext:
    """Non-root, and a group that may write the state volume (fsGroup)."""
    return client.V1PodSecurityContext(
        run_as_non_root=True,
        run_as_user=RUN_AS_USER,
        run_as_group=RUN_AS_USER,
        fs_group=RUN_AS_USER,
        seccomp_profile=client.V1SeccompProfile(type="RuntimeDefault"),
    )


def run_arguments(
    application_id: str, options: DeployOptions, has_instance: bool, has_secrets: bool
) -> list[str]:
    """The arguments `python -m kernel_runtime run|gateway` share."""
    args = [APP_MOUNT]
    if has_instance:
        args += ["-i", f"{RUNTIME_CONFIG_MOUNT}/instance.yaml"]
    if has_secrets:
        args += ["-s", f"{RUNTIME_CONFIG_MOUNT}/secrets.yaml"]
    return args + ["--tenant", options.tenant, "--app-id", application_id]


def volumes(
    config_map: str, config_items: dict[str, str], runtime_secret: str, with_deps: bool
) -> list[client.V1Volume]:
    """The application folder (ConfigMap keys mapped back to paths) and the runtime Secret."""
    result = [
        client.V1Volume(
            name="app",
            config_map=client.V1ConfigMapVolumeSource(
                name=config_map,
                items=[
                    client.V1KeyToPath(key=key, path=path)
                    for key, path in sorted(config_items.items())
                ],
            ),
        ),
        client.V1Volume(
            name="runtime-config",
            secret=client.V1SecretVolumeSource(secret_name=runtime_secret),
        ),
    ]
    if with_deps:
        result.append(client.V1Volume(name="deps", empty_dir=client.V1EmptyDirVolumeSource()))
    return result


def _mounts(with_deps: bool, with_state: bool) -> list[client.V1VolumeMount]:
    mounts = [
        client.V1VolumeMount(name="app", mount_path=APP_MOUNT, read_only=True),
        client.V1VolumeMount(
            name="runtime-config", mount_path=RUNTIME_CONFIG_MOUNT, read_only=True
        ),
    ]
    if with_deps:
        mounts.append(client.V1VolumeMount(name="deps", mount_path=DEPS_MOUNT))
    if with_state:
        mounts.append(client.V1VolumeMount(name=STATE_VOLUME, mount_path=STATE_MOUNT))
    return mounts


def _env(with_deps: bool) -> list[client.V1EnvVar]:
    env = [
        client.V1EnvVar(
            name="POD_NAME",
            value_from=client.V1EnvVarSource(
                field_ref=client.V1ObjectFieldSelector(field_path="metadata.name")
            ),
        ),
        client.V1EnvVar(name="LS_WORKBENCH_STATE_DIR", value=STATE_MOUNT),
        client.V1EnvVar(name="PYTHONDONTWRITEBYTECODE", value="1"),
        client.V1EnvVar(name="PYTHONUNBUFFERED", value="1"),
    ]
    if with_deps:
        env.append(client.V1EnvVar(name="PYTHONPATH", value=DEPS_MOUNT))
    return env


def requirements_installer(options: DeployOptions) -> client.V1Container:
    """pip-installs python/requirements.txt into the shared emptyDir before the runtime starts."""
    return client.V1Container(
        name="install-requirements",
        image=options.image,
        image_pull_policy=options.image_pull_policy,
        command=["python", "-m", "pip", "install", "--no-cache-dir", "--target", DEPS_MOUNT],
        args=["-r", f"{APP_MOUNT}/python/requirements.txt"],
        volume_mounts=_mounts(with_deps=True, with_state=False),
        security_context=_container_security(),
        resources=resources(1),
    )


def service_port(plan: ExecutorPlan) -> int:
    """The port a service agent listens on: its configuration's `port`, else LangStream's 8000
    (also for a port no Service can expose, such as 0; `render` warns about those)."""
    return configured_port(plan.first.configuration) or SERVICE_PORT


def agent_container(
    plan: ExecutorPlan,
    run_args: list[str],
    options: DeployOptions,
    *,
    with_deps: bool,
    with_state: bool,
) -> client.V1Container:
    """`python -m kernel_runtime run /app --agent ID`: one replica per pod (`--replica`)."""
    ports = [client.V1ContainerPort(name="health", container_port=options.health_port)]
    if plan.kind == "service":
        ports.append(client.V1ContainerPort(name="service", container_port=service_port(plan)))
    args = ["run", *run_args, "--agent", plan.id, "--replica", "$(POD_NAME)"]
    args += ["--state-dir", STATE_MOUNT, "--health-port", str(options.health_port)]
    args += ["--health-host", "0.0.0.0"]
    return client.V1Container(
        name="runtime",
        image=options.image,
        image_pull_policy=options.image_pull_policy,
        command=["python", "-m", "kernel_runtime"],
        args=args,
        env=_env(with_deps),
        ports=ports,
        resources=resources(plan.first.resources.size),
        liveness_probe=_probe("/healthz", "health"),
        readiness_probe=_probe("/readyz", "health"),
        volume_mounts=_mounts(with_deps, with_state),
        security_context=_container_security(),
        termination_message_policy="FallbackToLogsOnError",
    )


def gateway_container(
    run_args: list[str],
    options: DeployOptions,
    *,
    with_deps: bool,
    service_agents: dict[str, str] | None = None,
) -> client.V1Container:
    """`python -m kernel_runtime gateway /app --host 0.0.0.0 --port N`; probed on its TCP port.

    `service_agents` (agent id -> HOST:PORT) tells the gateway where the service agents' pods
    listen, so service gateways with `agent-id` proxy across pods."""
    service_args = [
        arg
        for agent_id, address in (service_agents or {}).items()
        for arg in ("--service-agent", f"{agent_id}={address}")
    ]
    return client.V1Container(
        name="gateway",
        image=options.image,
        image_pull_policy=options.image_pull_policy,
        command=["python", "-m", "kernel_runtime"],
        # `python -m kernel_runtime gateway` serves the gateways alone, with unprefixed flags
        args=[
            "gateway",
            *run_args,
            "--host",
            "0.0.0.0",
            "--port",
            str(options.gateway_port),
            *service_args,
        ],
        env=_env(with_deps),
        ports=[client.V1ContainerPort(name="http", container_port=options.gateway_port)],
        resources=resources(1),
        liveness_probe=_tcp_probe("http"),
        readiness_probe=_tcp_probe("http"),
        volume_mounts=_mounts(with_deps, with_state=False),
        security_context=_container_security(),
        termination_message_policy="FallbackToLogsOnError",
    )


def state_claim(
    plan: ExecutorPlan, labels: dict[str, str], options: DeployOptions
) -> client.V1PersistentVolumeClaim | None:
    """The PVC template of a disk-enabled executor (the largest disk of its agents)."""
    disks = [
        agent.resources.disk
        for agent in plan.agents
        if agent.resources.disk is not None and agent.resources.disk.enabled
    ]
    if not disks:
        return None
    disk = max(disks, key=lambda d: parse_disk_size(d.size))
    disk_type = disk.type or "default"
    storage_class = options.storage_classes.get(disk_type)
    if storage_class is None and disk_type != "default":
        storage_class = disk_type
    return client.V1PersistentVolumeClaim(
        api_version="v1",
        kind="PersistentVolumeClaim",
        metadata=client.V1ObjectMeta(name=STATE_VOLUME, labels=dict(labels)),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            storage_class_name=storage_class,
            resources=client.V1VolumeResourceRequirements(
                requests={"storage": disk_quantity(disk.size)}
            ),
        ),
    )
