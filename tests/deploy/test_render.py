"""Rendered objects: what each holds, and every one valid against the Kubernetes OpenAPI
schemas, strictly and offline (kubernetes-validate), for two Kubernetes versions."""

from __future__ import annotations

import base64
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from kernel_runtime.manifest import load_application
from ls_workbench.deploy import DeployError, DeployOptions, render_application

from .conftest import APPS

KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")
EXAMPLES = Path(__file__).parents[3] / "shared" / "langstream-examples"


def _by_kind(rendered, kind: str) -> list[dict]:
    return [m for m in rendered.manifests() if m["kind"] == kind]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in APPS.iterdir() if not p.name.startswith("bad"))
)
def test_every_object_of_every_test_app_is_valid_kubernetes(name, kafka_instance) -> None:
    app = load_application(APPS / name, instance=kafka_instance)
    manifests = render_application(app).manifests()
    assert manifests
    for manifest in manifests:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(manifest, version, strict=True)


def test_a_strictly_invalid_object_is_caught_by_the_same_check(rendered) -> None:
    manifest = _by_kind(rendered(), "StatefulSet")[0]
    manifest["spec"]["replica"] = 2  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(manifest, KUBERNETES_VERSIONS[0], strict=True)


def test_statefulset_runs_one_replica_per_pod_with_size_and_probes(
    tmp_path, kafka_instance
) -> None:
    app_dir = tmp_path / "sized"
    (app_dir / "python").mkdir(parents=True)
    (app_dir / "python" / "example.py").write_text("class P: pass\n")
    (app_dir / "pipeline.yaml").write_text(
        "pipeline:\n  - id: work\n    type: python-processor\n    input: a\n    output: b\n"
        "    resources: {parallelism: 3, size: 2}\n    configuration: {className: example.P}\n"
        "topics: [{name: a, creation-mode: create-if-not-exists}, {name: b, creation-mode: create-if-not-exists}]\n"
    )
    rendered = render_application(load_application(app_dir, instance=kafka_instance))
    (sts,) = _by_kind(rendered, "StatefulSet")
    assert sts["metadata"]["name"] == "sized-work"
    assert sts["spec"]["replicas"] == 3
    pod = sts["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == ["python", "-m", "kernel_runtime"]
    args = container["args"]
    assert args[:2] == ["run", "/app"]
    assert args[args.index("--agent") + 1] == "work"
    assert args[args.index("--replica") + 1] == "$(POD_NAME)"
    assert args[args.index("-i") + 1] == "/etc/ls-workbench/instance.yaml"
    assert container["resources"]["limits"] == {"cpu": "1000m", "memory": "1024M"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert "volumeClaimTemplates" not in sts["spec"]
    labels = sts["spec"]["template"]["metadata"]["labels"]
    assert labels["langstream-application"] == "sized" and labels["langstream-agent"] == "work"


def test_disk_enabled_agents_get_a_claim_mounted_as_the_state_directory(rendered) -> None:
    (sts,) = _by_kind(rendered("stateful-counter"), "StatefulSet")
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"] == {"storage": "50Mi"}
    assert "storageClassName" not in claim["spec"]  # disk type `default`: the cluster's default
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "state", "mountPath": "/state"} in container["volumeMounts"]
    assert container["args"][container["args"].index("--state-dir") + 1] == "/state"


def test_disk_type_names_the_storage_class(tmp_path, kafka_instance) -> None:
    app_dir = tmp_path / "fast-disk"
    app_dir.mkdir()
    (app_dir / "pipeline.yaml").write_text(
        "pipeline:\n  - id: keep\n    type: identity\n    input: a\n"
        "    resources: {disk: {enabled: true, type: fast, size: 1G}}\n"
        "topics: [{name: a, creation-mode: create-if-not-exists}]\n"
    )
    app = load_application(app_dir, instance=kafka_instance)
    (sts,) = _by_kind(render_application(app), "StatefulSet")
    claim = sts["spec"]["volumeClaimTemplates"][0]["spec"]
    assert (
        claim["storageClassName"] == "fast" and claim["resources"]["requests"]["storage"] == "1Gi"
    )
    mapped = render_application(app, DeployOptions(storage_classes={"fast": "ssd-retain"}))
    (sts,) = _by_kind(mapped, "StatefulSet")
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "ssd-retain"


def test_composed_agents_share_one_statefulset(rendered) -> None:
    workloads = _by_kind(rendered("composed-chain"), "StatefulSet")
    assert len(workloads) == 1
    assert workloads[0]["metadata"]["name"] == "composed-chain-chain-python-processor-1"


def test_python_services_get_a_headless_service(rendered) -> None:
    r = rendered("python-service")
    (service,) = _by_kind(r, "Service")
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"] == {
        "langstream-application": "python-service",
        "langstream-agent": "hello-service",
    }


def test_the_gateway_reaches_service_agents_through_their_headless_services(tmp_path) -> None:
    instance = tmp_path / "instance.yaml"  # the agent's port is ${globals.chatbot-port}
    instance.write_text(
        "instance:\n  globals:\n    chatbot-port: 9100\n  streamingCluster:\n    type: kafka\n"
        "    configuration:\n      admin:\n        bootstrap.servers: kafka.kafka.svc:9092\n"
    )
    app = load_application(APPS / "gateway-service-agent", instance=instance)
    r = render_application(app, DeployOptions(namespace="bots"))
    agent_service = next(s for s in _by_kind(r, "Service") if s["spec"].get("clusterIP") == "None")
    name = agent_service["metadata"]["name"]
    assert agent_service["spec"]["ports"] == [
        {"name": "service", "port": 9100, "targetPort": "service"}
    ]
    (statefulset,) = _by_kind(r, "StatefulSet")
    ports = statefulset["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert {"name": "service", "containerPort": 9100} in ports
    (deployment,) = _by_kind(r, "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    flag = args.index("--service-agent")
    assert args[flag + 1] == f"my-service-agent={name}.bots.svc:9100"
    assert r.warnings == []


def test_service_agents_the_gateway_cannot_reach_are_warned_about(tmp_path, kafka_instance) -> None:
    # tests/apps/python-service listens on port 0 (any free port)
    r = render_application(load_application(APPS / "python-service", instance=kafka_instance))
    [warning] = r.warnings
    assert "hello-service has configuration port 0" in warning and "8000" in warning
    (service,) = _by_kind(r, "Service")
    assert service["spec"]["ports"][0]["port"] == 8000

    app = tmp_path / "loopback"
    (app / "python").mkdir(parents=True)
    (app / "pipeline.yaml").write_text(
        "pipeline:\n  - id: svc\n    type: python-service\n"
        "    configuration: {className: svc.Svc, host: 127.0.0.1}\n"
    )
    (app / "python" / "svc.py").write_text(
        "from langstream import Service\n\nclass Svc(Service):\n    def main(self):\n        pass\n"
    )
    [warning] = render_application(load_application(app, instance=kafka_instance)).warnings
    assert "svc has configuration host '127.0.0.1'" in warning and "0.0.0.0" in warning


def test_gateways_get_a_deployment_and_a_service(rendered) -> None:
    r = rendered("exclamation-processor")
    (deployment,) = _by_kind(r, "Deployment")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["args"][0] == "gateway"
    (service,) = _by_kind(r, "Service")
    assert service["spec"]["ports"][0]["port"] == 8091
    assert not _by_kind(rendered("stateful-counter"), "Deployment")


def test_the_folder_rides_in_a_configmap_and_the_secrets_in_a_secret(
    tmp_path, kafka_instance
) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("secrets:\n  - id: k\n    data: {token: sup3r-s3cret-value}\n")
    app = load_application(APPS / "exclamation-processor", instance=kafka_instance, secrets=secrets)
    r = render_application(app, DeployOptions(namespace="team-a"))
    (config_map,) = _by_kind(r, "ConfigMap")
    assert config_map["metadata"]["namespace"] == "team-a"
    assert (
        config_map["data"]["python__example.py"]
        == (APPS / "exclamation-processor/python/example.py").read_text()
    )
    (secret,) = _by_kind(r, "Secret")
    stored = yaml.safe_load(base64.b64decode(secret["data"]["secrets.yaml"]))
    assert stored == {"secrets": [{"id": "k", "data": {"token": "sup3r-s3cret-value"}}]}
    assert "sup3r-s3cret-value" not in yaml.safe_dump(config_map)
    items = {
        i["path"]
        for i in r.manifests()[-2]["spec"]["template"]["spec"]["volumes"][0]["configMap"]["items"]
    }
    assert items == {"pipeline.yaml", "gateways.yaml", "python/example.py"}


def test_rendering_is_stable_and_a_change_rolls_the_pods(rendered, tmp_path) -> None:
    first, again = rendered("stateful-counter"), rendered("stateful-counter")
    assert first.manifests() == again.manifests()
    key = "ls-workbench/config-checksum"
    checksum = _by_kind(first, "StatefulSet")[0]["spec"]["template"]["metadata"]["annotations"][key]
    changed = render_application(
        load_application(APPS / "stateful-counter", instance=tmp_path / "kafka-instance.yaml"),
        files={
            "pipeline.yaml": (APPS / "stateful-counter/pipeline.yaml").read_bytes(),
            "python/x.py": b"#",
        },
    )
    assert (
        _by_kind(changed, "StatefulSet")[0]["spec"]["template"]["metadata"]["annotations"][key]
        != checksum
    )


def test_requirements_are_installed_by_an_init_container(
    rendered, tmp_path, kafka_instance
) -> None:
    app = load_application(APPS / "exclamation-processor", instance=kafka_instance)
    files = {"pipeline.yaml": b"x", "python/requirements.txt": b"requests>=2\n"}
    r = render_application(app, files=files)
    pod = _by_kind(r, "StatefulSet")[0]["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    assert init["args"] == ["-r", "/app/python/requirements.txt"]
    assert {"name": "PYTHONPATH", "value": "/deps"} in pod["containers"][0]["env"]


def test_without_a_kafka_instance_the_deploy_is_refused(tmp_path) -> None:
    app = load_application(APPS / "exclamation-processor")
    with pytest.raises(DeployError) as caught:
        render_application(app)
    assert "embedded broker" in str(caught.value) and "-i" in str(caught.value)


def test_a_folder_too_large_for_a_configmap_names_its_largest_files(kafka_instance) -> None:
    app = load_application(APPS / "exclamation-processor", instance=kafka_instance)
    with pytest.raises(DeployError) as caught:
        render_application(
            app, files={"python/lib/model.bin": b"\0" * 1_200_000, "pipeline.yaml": b"x"}
        )
    assert "python/lib/model.bin" in str(caught.value)


def test_ids_that_are_not_kubernetes_names_become_stable_names(tmp_path, kafka_instance) -> None:
    app_dir = tmp_path / "My_App"
    app_dir.mkdir()
    (app_dir / "pipeline.yaml").write_text(
        "pipeline:\n  - id: step-one\n    type: identity\n    input: a\n"
        "topics: [{name: a, creation-mode: create-if-not-exists}]\n"
    )
    r = render_application(load_application(app_dir, instance=kafka_instance))
    (sts,) = _by_kind(r, "StatefulSet")
    assert sts["metadata"]["name"].startswith("my-app-")
    args = sts["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--agent") + 1] == "step-one"
    assert args[args.index("--app-id") + 1] == "My_App"  # the runtime gets the real id
    for manifest in r.manifests():
        kubernetes_validate.validate(manifest, KUBERNETES_VERSIONS[0], strict=True)


def test_every_pod_command_is_accepted_by_the_runtime_entrypoint(rendered) -> None:
    """The args rendered into pods must parse with `python -m kernel_runtime`'s own parser."""
    from kernel_runtime.__main__ import build_parser

    r = rendered("exclamation-processor")
    containers = [
        c
        for kind in ("StatefulSet", "Deployment")
        for m in _by_kind(r, kind)
        for c in m["spec"]["template"]["spec"]["containers"]
    ]
    # Kubernetes expands $(POD_NAME) from the container's env before the command runs
    pod_args = [
        [a.replace("$(POD_NAME)", "app-exclamation-1") for a in c["args"]] for c in containers
    ]
    commands = {args[0]: build_parser().parse_args(args) for args in pod_args}
    assert set(commands) == {"run", "gateway"}
    assert commands["gateway"].gateway_host == "0.0.0.0"
    assert commands["gateway"].gateway_port == 8091
    assert commands["run"].agents == ["exclamation"]
    assert commands["run"].replica == 1
