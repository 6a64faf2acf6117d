"""`ls-workbench deploy` / `undeploy` from a terminal, against the API server stand-in."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import yaml

from ls_workbench.cli import main

APP = str(Path(__file__).parent.parent / "apps" / "exclamation-processor")


def test_output_yaml_prints_every_object_and_contacts_no_cluster(
    kafka_instance, capsys, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    assert (
        main(["deploy", APP, "-i", str(kafka_instance), "--output", "yaml", "--image", "reg/img:1"])
        == 0
    )
    documents = list(yaml.safe_load_all(capsys.readouterr().out))
    kinds = [d["kind"] for d in documents]
    assert kinds == ["Namespace", "Secret", "ConfigMap", "StatefulSet", "Deployment", "Service"]
    assert documents[3]["spec"]["template"]["spec"]["containers"][0]["image"] == "reg/img:1"


def test_output_yaml_warns_on_stderr_about_an_unreachable_service_agent(
    kafka_instance, capsys
) -> None:
    app = str(Path(APP).parent / "python-service")  # its agent listens on port 0
    assert main(["deploy", app, "-i", str(kafka_instance), "--output", "yaml"]) == 0
    captured = capsys.readouterr()
    assert "warning: service agent hello-service has configuration port 0" in captured.err
    assert "hello-service" in captured.out and "warning" not in captured.out


def test_dry_run_deploy_redeploy_and_undeploy(kube, kubeconfig, kafka_instance, capsys) -> None:
    common = [
        APP,
        "-i",
        str(kafka_instance),
        "--kubeconfig",
        str(kubeconfig),
        "--namespace",
        "team",
    ]
    assert main(["deploy", *common, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry-run: Namespace team ok" in out and "skipped" in out  # its objects wait for it
    assert kube.writes() == []

    assert main(["deploy", *common, "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "apply: StatefulSet exclamation-processor-exclamation in namespace team created" in out
    assert (
        "rollout: StatefulSet exclamation-processor-exclamation in namespace team ready 1/1" in out
    )
    assert "deployed exclamation-processor in namespace team" in out

    assert main(["deploy", *common, "--timeout", "30"]) == 0
    assert "6 unchanged" in capsys.readouterr().out

    assert main(["undeploy", *common]) == 0
    assert "deleted 5 object(s)" in capsys.readouterr().out
    assert [k for k in kube.objects] == [("Namespace", None, "team")]


def test_errors_are_text_and_exit_code_1(kube, kubeconfig, kafka_instance, capsys) -> None:
    kube.fail(
        "PATCH", "Namespace", "exclamation-processor", 403, "Forbidden", "no namespaces for you"
    )
    assert main(["deploy", APP, "-i", str(kafka_instance), "--kubeconfig", str(kubeconfig)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the dry run found problems") and "Traceback" not in err
    assert (
        main(
            [
                "deploy",
                APP,
                "-i",
                str(kafka_instance),
                "--kubeconfig",
                str(kubeconfig),
                "--context",
                "nope",
            ]
        )
        == 1
    )
    assert "context 'nope' is not in" in capsys.readouterr().err


def test_format_langstream_prints_the_custom_resource_and_its_secret(tmp_path, capsys) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("secrets:\n  - id: k\n    data: {token: abc}\n")
    code = main(
        [
            "deploy",
            APP,
            "-s",
            str(secrets),
            "--format",
            "langstream",
            "--tenant",
            "acme",
            "--app-id",
            "excl",
            "--code-archive-id",
            "archive-1",
        ]
    )
    assert code == 0
    resource, secret = yaml.safe_load_all(capsys.readouterr().out)
    assert resource["apiVersion"] == "langstream.ai/v1alpha1" and resource["kind"] == "Application"
    assert resource["metadata"] == {
        "name": "excl",
        "namespace": "langstream-acme",
        "labels": {"app.kubernetes.io/managed-by": "ls-workbench"},
    }
    assert resource["spec"]["tenant"] == "acme" and resource["spec"]["codeArchiveId"] == "archive-1"
    application = json.loads(resource["spec"]["application"])
    assert set(application) == {"resources", "modules", "instance", "gateways", "agentRunners"}
    assert application["agentRunners"]["exclamation"]["componentType"] == "PROCESSOR"
    assert "abc" not in resource["spec"]["application"]
    stored = json.loads(base64.b64decode(secret["data"]["secrets"]))
    assert stored == {"secrets": {"k": {"id": "k", "name": None, "data": {"token": "abc"}}}}
