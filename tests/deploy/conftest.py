"""Fixtures of the deploy tests: the API server stand-in, a kubeconfig pointing at it, and a
Kafka instance file (deploys need a shared broker; nothing connects to it here)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kernel_runtime.manifest import load_application
from ls_workbench.deploy import DeployOptions, render_application
from ls_workbench.deploy.apply import Deployer
from ls_workbench.deploy.kubeconfig import api_client

from .kube_stand_in import KubeStandIn

APPS = Path(__file__).parent.parent / "apps"


@pytest.fixture
def kafka_instance(tmp_path: Path) -> Path:
    path = tmp_path / "kafka-instance.yaml"
    path.write_text(
        "instance:\n  streamingCluster:\n    type: kafka\n    configuration:\n"
        "      admin:\n        bootstrap.servers: kafka.kafka.svc:9092\n"
    )
    return path


@pytest.fixture
def kube():
    stand_in = KubeStandIn().start()
    yield stand_in
    stand_in.stop()


def write_kubeconfig(path: Path, server: str, token: str, namespace: str = "default") -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "stand-in", "cluster": {"server": server}}],
        "users": [{"name": "tester", "user": {"token": token}}],
        "contexts": [
            {
                "name": "stand-in",
                "context": {"cluster": "stand-in", "user": "tester", "namespace": namespace},
            },
            {"name": "other", "context": {"cluster": "stand-in", "user": "tester"}},
        ],
        "current-context": "stand-in",
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def kubeconfig(tmp_path: Path, kube: KubeStandIn) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", kube.url, kube.token or "")


@pytest.fixture
def deployer(kubeconfig: Path) -> Deployer:
    return Deployer(api_client(config_file=kubeconfig), poll_interval=0.01)


@pytest.fixture
def rendered(kafka_instance: Path):
    def render(name: str = "exclamation-processor", **options):
        app = load_application(APPS / name, instance=kafka_instance)
        return render_application(app, DeployOptions(**options))

    return render
