"""`--format langstream`: the Application custom resource LangStream's operator reads."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from kernel_runtime.manifest import load_application
from ls_workbench.deploy import DeployError
from ls_workbench.deploy.langstream_cr import render_langstream, render_langstream_folder

APPS = Path(__file__).parent.parent / "apps"
LANGSTREAM_MIRROR = Path("/work/.mirror/LangStream+langstream/repo")


def _crd_schema() -> dict | None:
    """The CRD's openAPIV3Schema, read in place from LangStream's source when it is here."""
    if not LANGSTREAM_MIRROR.is_dir():
        return None
    shown = subprocess.run(
        [
            "git",
            "-C",
            str(LANGSTREAM_MIRROR),
            "show",
            "HEAD:helm/crds/applications.langstream.ai-v1.yml",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        return None
    return yaml.safe_load(shown.stdout)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_the_resource_matches_langstreams_crd(tmp_path) -> None:
    schema = _crd_schema()
    if schema is None:
        pytest.skip("LangStream's source is not on this machine")
    resource, _ = render_langstream_folder(APPS / "composed-chain", application_id="chain").objects
    jsonschema.validate(resource, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"spec": {"application": "{}"}}, schema)  # tenant is required


def test_modules_pipelines_and_topics_are_serialised_as_langstream_does() -> None:
    resources = render_langstream(load_application(APPS / "composed-chain"), tenant="t")
    application = json.loads(resources.objects[0]["spec"]["application"])
    module = application["modules"]["default"]
    pipeline = module["pipelines"]["chain"]
    assert [a["type"] for a in pipeline["agents"]] == [
        "python-processor",
        "drop-fields",
        "python-processor",
    ]
    assert pipeline["agents"][0]["input"] == {
        "connectionType": "TOPIC",
        "definition": "raw",
        "enableDeadletterQueue": False,
    }
    assert pipeline["agents"][1]["input"] is None  # implicit: LangStream plans it again
    assert module["topics"]["raw"]["creation-mode"] == "create-if-not-exists"
    (runner,) = application["agentRunners"].values()  # the three agents fuse into one
    assert runner["agentType"] == "composite-agent"
    assert (runner["inputTopic"], runner["outputTopic"]) == ("raw", "clean")
    assert json.loads(resources.objects[0]["spec"]["options"])["deleteMode"] == "CLEANUP_REQUIRED"


def test_names_langstream_would_refuse_are_reported(tmp_path) -> None:
    with pytest.raises(DeployError) as caught:
        render_langstream(
            load_application(APPS / "exclamation-processor"),
            application_id="a-much-too-long-application-id",
        )
    assert "at most 20" in str(caught.value)
