"""The deploy flow against the Kubernetes API server stand-in (see kube_stand_in.py):
dry run first, apply, idempotent re-apply, rollout, undeploy, and the error paths."""

from __future__ import annotations

import socket

import pytest
from kubernetes import client

from ls_workbench.deploy import DeployError
from ls_workbench.deploy.apply import Deployer


def test_deploy_dry_runs_everything_then_applies_and_waits(kube, deployer, rendered) -> None:
    app = rendered()
    events = []
    result = deployer.deploy(app, timeout=30, on_event=events.append)

    kinds = sorted(kind for kind, _, _ in kube.objects)
    assert kinds == sorted(m["kind"] for m in app.manifests())
    assert set(result.actions.values()) == {"created"}
    assert result.ready
    phases = [e.phase for e in events]
    # every object was dry-run before it was applied; rollout comes last
    for manifest in app.manifests():
        name = manifest["metadata"]["name"]
        first_dry = next(
            i for i, e in enumerate(events) if e.phase == "dry-run" and e.ref.name == name
        )
        first_apply = next(
            i for i, e in enumerate(events) if e.phase == "apply" and e.ref.name == name
        )
        assert first_dry < first_apply
    assert phases[-1] == "rollout"
    assert [e.state for e in events if e.phase == "rollout"][-1] == "ready"


def test_redeploying_an_unchanged_application_changes_nothing(kube, deployer, rendered) -> None:
    deployer.deploy(rendered(), timeout=30)
    version = kube.version
    result = deployer.deploy(rendered(), timeout=30)
    assert set(result.actions.values()) == {"unchanged"}
    assert not result.changed
    assert kube.version == version


def test_a_changed_image_configures_only_the_workloads(kube, deployer, rendered) -> None:
    deployer.deploy(rendered(), timeout=30)
    result = deployer.deploy(rendered(image="registry.example/ls-workbench:2"), timeout=30)
    changed = {ref.kind for ref, action in result.actions.items() if action == "configured"}
    assert changed == {"StatefulSet", "Deployment"}
    sts = kube.stored("StatefulSet", "exclamation-processor-exclamation", "exclamation-processor")
    assert sts["metadata"]["generation"] == 2
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":2")


def test_a_forbidden_object_is_reported_by_the_dry_run_and_nothing_changes(
    kube, deployer, rendered
) -> None:
    deployer.deploy(rendered(), timeout=30)  # the namespace exists now
    before = dict(kube.objects)
    writes = len(kube.writes())
    kube.fail(
        "PATCH",
        "Secret",
        "exclamation-processor-runtime",
        403,
        "Forbidden",
        'secrets "exclamation-processor-runtime" is forbidden: User "tester" cannot patch',
    )
    kube.fail(
        "PATCH",
        "Service",
        "exclamation-processor-gateway",
        422,
        "Invalid",
        "spec.ports: Required value",
    )
    with pytest.raises(DeployError) as caught:
        deployer.deploy(rendered(image="other:1"), timeout=30)
    problems = caught.value.problems
    assert len(problems) == 2, "all errors are shown together"
    assert "forbidden" in problems[0] and "RBAC" in problems[0]
    assert "Service exclamation-processor-gateway" in problems[1] and "invalid" in problems[1]
    assert "nothing was changed" in str(caught.value)
    assert len(kube.writes()) == writes and kube.objects == before


def test_a_conflict_on_apply_names_the_object_and_the_way_out(kube, deployer, rendered) -> None:
    kube.fail(
        "PATCH",
        "ConfigMap",
        "exclamation-processor-app",
        409,
        "Conflict",
        'Apply failed with 1 conflict: conflict with "kubectl-edit"',
        in_dry_run=False,
    )
    with pytest.raises(DeployError) as caught:
        deployer.deploy(rendered(), timeout=30)
    (problem,) = caught.value.problems
    assert "ConfigMap exclamation-processor-app" in problem and "--force-conflicts" in problem


def test_the_api_servers_schema_errors_come_back_with_their_field(kube, deployer, rendered) -> None:
    app = rendered()
    # what a hand-written extra object could hold; the server answers 422 with the field
    app.objects.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "extra", "namespace": app.namespace},
            "data": {"key": 3},
        }
    )
    with pytest.raises(DeployError) as caught:
        deployer.deploy(app, timeout=30)
    (problem,) = caught.value.problems
    assert problem.startswith(
        "ConfigMap extra in namespace exclamation-processor: invalid (data.key:"
    )
    assert kube.stored("ConfigMap", "extra", app.namespace) is None


def test_rollout_timeout_says_what_is_not_ready(kube, deployer, rendered) -> None:
    kube.ready_after = None
    with pytest.raises(DeployError) as caught:
        deployer.deploy(rendered(), timeout=0.2)
    assert "rollout not finished" in str(caught.value)
    assert any(
        "StatefulSet exclamation-processor-exclamation" in p and "0/1" in p
        for p in caught.value.problems
    )


def test_undeploy_removes_everything_but_the_volumes_and_their_namespace(
    kube, deployer, rendered
) -> None:
    app = rendered("stateful-counter")
    deployer.deploy(app, timeout=30)
    namespace = app.namespace
    # the StatefulSet controller would have made this claim from the template
    claim_labels = (
        next(o for o in app.objects if o.kind == "StatefulSet")
        .spec.volume_claim_templates[0]
        .metadata.labels
    )
    kube.objects[("Namespace", None, namespace)]  # exists
    kube.objects[("PersistentVolumeClaim", namespace, "state-x-0")] = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "state-x-0", "namespace": namespace, "labels": claim_labels},
    }
    deleted = deployer.undeploy(app)
    assert {ref.kind for ref in deleted} == {"Secret", "ConfigMap", "StatefulSet"}
    assert sorted(k for k, _, _ in kube.objects) == ["Namespace", "PersistentVolumeClaim"]
    assert deployer.undeploy(app) == []  # idempotent: nothing left to delete

    deleted = deployer.undeploy(app, delete_volumes=True)
    assert {ref.kind for ref in deleted} == {"PersistentVolumeClaim", "Namespace"}
    assert kube.objects == {}


def test_an_unreachable_server_is_one_clear_error(rendered) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configuration = client.Configuration(host=f"http://127.0.0.1:{port}")
    configuration.retries = 0
    deployer = Deployer(client.ApiClient(configuration))
    with pytest.raises(DeployError) as caught:
        deployer.deploy(rendered(), timeout=5)
    assert f"cannot reach the Kubernetes API server at http://127.0.0.1:{port}" in str(caught.value)


def test_a_wrong_token_is_unauthorized(kube, rendered, tmp_path) -> None:
    from ls_workbench.deploy.kubeconfig import api_client

    from .conftest import write_kubeconfig

    deployer = Deployer(api_client(config_file=write_kubeconfig(tmp_path / "k", kube.url, "bad")))
    with pytest.raises(DeployError) as caught:
        deployer.deploy(rendered(), timeout=5)
    assert "unauthorized" in str(caught.value)
