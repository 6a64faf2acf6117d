"""`--format langstream`: the LangStream `Application` custom resource, for clusters that
run LangStream's own operator instead of our runtime.

What LangStream's control plane writes (KubernetesApplicationStore.put, read from its
source): an `Application` (`langstream.ai/v1alpha1`) named after the application id in
the tenant's namespace `langstream-<tenant>`, whose `spec` holds the tenant, `application`
(the JSON of SerializedApplicationInstance: resources, modules, instance, gateways,
agentRunners), `codeArchiveId` and `options` (the JSON of ApplicationSpecOptions); and a
Secret of the same name whose key `secrets` holds the JSON of the Secrets record. The
operator's deployer job plans the agents again from `modules`; placeholders stay
unresolved, as the control plane stores them, so no secret value enters the resource.

Python code is not in the resource: LangStream fetches it from its code storage by
`codeArchiveId`, which only `langstream apps deploy` uploads. Without one, agents that
need code cannot start, and the render says so.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_runtime.manifest import Application, Instance, Secrets, load_application
from kernel_runtime.manifest.dump import to_yaml
from kernel_runtime.plan import plan_executors
from ls_workbench.deploy.errors import DeployError
from ls_workbench.export import export_application

PathLike = str | os.PathLike[str]
API_VERSION = "langstream.ai/v1alpha1"
# CRDConstants: 63-char pod names leave 20 for the application id, 37 for an agent id
MAX_APPLICATION_ID = 20
MAX_AGENT_ID = 37
RESOURCE_NAME = re.compile(r"^[a-z][-a-z0-9]+$")
SPEC_OPTIONS = {
    "deleteMode": "CLEANUP_REQUIRED",
    "markedForDeletion": False,
    "seed": 0,
    "autoUpgradeRuntimeImage": False,
    "autoUpgradeRuntimeImagePullPolicy": False,
    "autoUpgradeAgentResources": False,
    "autoUpgradeAgentPodTemplate": False,
}


@dataclass
class LangStreamResources:
    """The custom resource and its Secret, plus what the user should know."""

    objects: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        return "".join(f"---\n{to_yaml(obj)}" for obj in self.objects)


def _data(model: Any) -> Any:
    return model.to_yaml_data() if model is not None else None


def _connection(topic: str | None) -> dict[str, Any] | None:
    if topic is None:
        return None
    return {"connectionType": "TOPIC", "definition": topic, "enableDeadletterQueue": False}


def _modules(app: Application) -> dict[str, Any]:
    """Modules as LangStream's `Module` serialises: pipelines by id, topics by name, assets."""
    modules: dict[str, Any] = {}
    for pipeline in app.pipelines:
        module = modules.setdefault(
            pipeline.module_id,
            {"id": pipeline.module_id, "pipelines": {}, "topics": {}, "assets": []},
        )
        agents = [
            {
                "id": agent.id,
                "name": agent.name,
                "type": agent.type,
                "input": _connection(step.input),
                "output": _connection(step.output),
                "configuration": step.configuration,
                "resources": _data(step.resources),
                "errors": _data(step.errors),
            }
            for agent, step in zip(
                [a for a in app.agents() if a.pipeline_id == pipeline.pipeline_id],
                pipeline.steps,
                strict=False,
            )
        ]
        module["pipelines"][pipeline.pipeline_id] = {
            "id": pipeline.pipeline_id,
            "module": pipeline.module_id,
            "name": pipeline.name,
            "resources": _data(pipeline.resources),
            "errors": _data(pipeline.errors),
            "agents": agents,
        }
        for topic in pipeline.topics:
            entry = topic.to_yaml_data()
            entry.setdefault("creation-mode", "none")
            entry.setdefault("deletion-mode", "none")
            entry["partitions"] = topic.partitions
            entry["implicit"] = False
            if "schema" in entry:
                entry["valueSchema"] = entry.pop("schema")
            module["topics"][topic.name] = entry
        module["assets"] += [asset.to_yaml_data() for asset in pipeline.assets]
    return modules


def _agent_runners(app: Application) -> dict[str, Any]:
    runners = {}
    for plan in plan_executors(app):
        composite = len(plan.agents) > 1
        runners[plan.id] = {
            "agentId": plan.id,
            "agentType": "composite-agent" if composite else plan.first.type,
            "componentType": (plan.first.component or "processor").upper(),
            "configuration": {} if composite else plan.first.configuration,
            "inputTopic": plan.input_topic,
            "outputTopic": plan.output_topic,
            "resources": plan.first.resources.to_yaml_data(),
        }
    return runners


def serialized_application(app: Application) -> dict[str, Any]:
    """The `spec.application` document (before JSON encoding)."""
    return {
        "resources": {
            r.resource_id: r.to_yaml_data() for r in app.configuration.resources if r.resource_id
        },
        "modules": _modules(app),
        "instance": app.instance.to_yaml_data() or None,
        "gateways": {"gateways": [g.to_yaml_data() for g in app.gateways]},
        "agentRunners": _agent_runners(app),
    }


def _check_names(application_id: str, app: Application) -> list[str]:
    problems = []
    if len(application_id) > MAX_APPLICATION_ID or not RESOURCE_NAME.match(application_id):
        problems.append(
            f"application id {application_id!r}: LangStream wants at most {MAX_APPLICATION_ID} "
            "characters of a-z, 0-9 and '-', starting with a letter; pass --app-id"
        )
    for agent in app.agents():
        if len(agent.id) > MAX_AGENT_ID:
            problems.append(
                f"agent id {agent.id!r} ({agent.location}) is longer than {MAX_AGENT_ID} "
                "characters; give the step a shorter `id:`"
            )
    return problems


def render_langstream(
    app: Application,
    *,
    tenant: str = "default",
    application_id: str | None = None,
    namespace: str | None = None,
    code_archive_id: str | None = None,
) -> LangStreamResources:
    """The Application custom resource and its secrets Secret for `app` (unresolved)."""
    application_id = application_id or app.app_dir.name
    problems = _check_names(application_id, app)
    if problems:
        raise DeployError("the application cannot be a LangStream Application resource", problems)
    namespace = namespace or f"langstream-{tenant}"
    spec: dict[str, Any] = {
        "tenant": tenant,
        "application": json.dumps(serialized_application(app), sort_keys=True),
        "options": json.dumps(SPEC_OPTIONS),
    }
    warnings = []
    if code_archive_id:
        spec["codeArchiveId"] = code_archive_id
    elif (app.app_dir / "python").is_dir():
        warnings.append(
            "the application has python/ code, which LangStream fetches from its code storage "
            "by codeArchiveId; upload it with `langstream apps deploy` and pass "
            "--code-archive-id, or the Python agents cannot start"
        )
    labels = {"app.kubernetes.io/managed-by": "ls-workbench"}
    custom_resource = {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {"name": application_id, "namespace": namespace, "labels": labels},
        "spec": spec,
    }
    secrets = {
        "secrets": {
            s.id: {"id": s.id, "name": s.name, "data": s.data or {}}
            for s in app.secrets.secrets
            if s.id is not None
        }
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": application_id, "namespace": namespace, "labels": labels},
        "type": "Opaque",
        "data": {"secrets": base64.b64encode(json.dumps(secrets).encode()).decode("ascii")},
    }
    return LangStreamResources([custom_resource, secret], warnings)


def render_langstream_folder(
    app_dir: PathLike,
    *,
    instance: PathLike | Instance | None = None,
    secrets: PathLike | Secrets | None = None,
    **settings: Any,
) -> LangStreamResources:
    """Export (validate, secrets to references) a folder, then render it as a resource."""
    source = Path(app_dir)
    settings.setdefault("application_id", None)
    settings["application_id"] = settings["application_id"] or source.name
    with tempfile.TemporaryDirectory(prefix="ls-workbench-cr-") as workdir:
        report = export_application(
            source, Path(workdir) / source.name, instance=instance, secrets=secrets
        )
        app = load_application(report.out_dir, instance=instance, secrets=secrets)
        return render_langstream(app, **settings)
