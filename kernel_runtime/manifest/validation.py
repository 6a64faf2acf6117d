"""Checks on a loaded application: what LangStream rejects at deploy time, all at once.

Sources read (LangStream 88793bcf7): ModelBuilder (errors spec, gateways, duplicate
pipelines), Module.addTopic/resolveTopic (topic conflicts, undeclared topics),
TopicDefinition/AssetDefinition/DiskSpec/SchemaDefinition/Dependency constructors,
BasicClusterRuntime.buildAgent (an agent followed by another must have an output),
AbstractAgentProvider (service agents: no input, output or retries), ClassConfigValidator
(required and unknown configuration keys), GenAIToolKitFunctionAgentProvider (AI service and
datasource resources), KubernetesClusterRuntime/AgentResourcesFactory.validateAgentId,
the cluster runtime providers (streaming/compute cluster types), ModelBuilder.parseSecrets.
Gateway checks are in `validation_gateways.py`, agent checks in `validation_agents.py`,
topics named inside agent configurations in `validation_refs.py`.

Deliberately lenient where LangStream's own examples need it: missing secrets/globals are
warnings (placeholders.py), vector-db-sink per-service keys are warnings, an instance
without streamingCluster is a warning (the workbench has its own broker). Agent ids are
held to Kubernetes rules only for agents that start an executor, as LangStream only
validates the ids left after merging composable agents.
"""

from __future__ import annotations

from kernel_runtime.manifest.graph import Graph, declared_topic
from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.configuration import DEPENDENCY_TYPES
from kernel_runtime.manifest.models.instance import (
    COMPUTE_CLUSTER_TYPES,
    STREAMING_CLUSTER_TYPES,
    Instance,
)
from kernel_runtime.manifest.models.pipeline import (
    CREATION_MODES,
    DELETION_MODES,
    Pipeline,
    SchemaDefinition,
    TopicDefinition,
)
from kernel_runtime.manifest.models.secrets import Secrets
from kernel_runtime.manifest.problems import NodePath, ProblemSink, suggestion
from kernel_runtime.manifest.validation_agents import check_agents
from kernel_runtime.manifest.validation_gateways import check_gateways
from kernel_runtime.manifest.validation_refs import check_configuration_topics
from kernel_runtime.manifest.validation_specs import check_errors_spec, check_resources_spec

RESOURCE_TYPES = (
    "open-ai-configuration",
    "hugging-face-configuration",
    "vertex-configuration",
    "bedrock-configuration",
    "ollama-configuration",
    "datasource",
    "vector-database",
)


def _check_schema(
    schema: SchemaDefinition | None, file: str, path: NodePath, sink: ProblemSink
) -> None:
    if schema is not None and not (schema.type or "").strip():
        sink.error(file, (*path, "type"), "a schema needs a type", "add `type:` (e.g. avro, json)")


def _comparable(topic: TopicDefinition) -> TopicDefinition:
    """A declared topic as LangStream compares it (defaults filled, schema name 'Schema')."""
    out = declared_topic(topic)
    for key in ("key_schema", "value_schema"):
        schema = getattr(out, key)
        if schema is not None and schema.name is None:
            out = out.model_copy(update={key: schema.model_copy(update={"name": "Schema"})})
    return out


def _where(app: Application, file: str, path: NodePath) -> str:
    line = app.line_of(file, path)
    return f"{file}:{line}" if line is not None else file


def check_pipeline_files(app: Application, sink: ProblemSink) -> None:
    """Pipeline ids, errors/resources defaults, topics and assets of every pipeline file."""
    pipeline_ids: dict[tuple[str, str], Pipeline] = {}
    topics: dict[tuple[str, str], tuple[TopicDefinition, str, NodePath]] = {}
    assets: dict[tuple[str, str], tuple[object, str, NodePath]] = {}
    for pipeline in app.pipelines:
        file, module = pipeline.file, pipeline.module_id
        key = (module, pipeline.pipeline_id)
        if key in pipeline_ids:
            sink.error(
                file,
                ("id",) if pipeline.id is not None else (),
                f"pipeline '{pipeline.pipeline_id}' already exists in module '{module}' "
                f"(also {pipeline_ids[key].file})",
                "give one of the files another `id:`",
            )
        pipeline_ids.setdefault(key, pipeline)
        check_errors_spec(pipeline.errors, file, ("errors",), sink)
        check_resources_spec(pipeline.resources, file, ("resources",), sink)
        for i, topic in enumerate(pipeline.topics):
            path: NodePath = ("topics", i)
            if not topic.name:
                sink.error(file, path, "topic without a name", "add `name:` to the topic")
                continue
            if topic.creation_mode is not None and topic.creation_mode not in CREATION_MODES:
                sink.error(
                    file,
                    (*path, "creation-mode"),
                    f"invalid creation mode: {topic.creation_mode}",
                    suggestion(topic.creation_mode, CREATION_MODES),
                )
            if topic.deletion_mode is not None and topic.deletion_mode not in DELETION_MODES:
                sink.warning(
                    file,
                    (*path, "deletion-mode"),
                    f"unknown deletion mode '{topic.deletion_mode}' (the topic is never deleted)",
                    suggestion(topic.deletion_mode, DELETION_MODES),
                )
            _check_schema(topic.key_schema, file, (*path, "keySchema"), sink)
            _check_schema(topic.value_schema, file, (*path, "schema"), sink)
            seen = topics.get((module, topic.name))
            if seen is None:
                topics[(module, topic.name)] = (topic, file, path)
            elif _comparable(seen[0]) != _comparable(topic):
                sink.error(
                    file,
                    path,
                    f"topic '{topic.name}' already exists in module '{module}' with a different "
                    f"definition (at {_where(app, seen[1], seen[2])})",
                    "declare it identically in both files, or only once",
                )
        for i, asset in enumerate(pipeline.assets):
            path = ("assets", i)
            if not asset.asset_id:
                sink.error(file, path, "asset id or name are required", "add `name:` or `id:`")
                continue
            if not asset.asset_type:
                sink.error(
                    file, path, f"asset '{asset.asset_id}' has no asset-type", "add `asset-type:`"
                )
            for key, value, allowed in (
                ("creation-mode", asset.creation_mode, CREATION_MODES),
                ("deletion-mode", asset.deletion_mode, DELETION_MODES),
            ):
                if value is not None and value not in allowed:
                    sink.error(
                        file,
                        (*path, key),
                        f"invalid {key.replace('-', ' ')}: {value}",
                        suggestion(value, allowed),
                    )
            seen_asset = assets.get((module, asset.asset_id))
            if seen_asset is None:
                assets[(module, asset.asset_id)] = (asset, file, path)
            elif seen_asset[0] != asset:
                sink.error(
                    file,
                    path,
                    f"asset '{asset.asset_id}' already exists in module '{module}' with a "
                    f"different definition (at {_where(app, seen_asset[1], seen_asset[2])})",
                    "declare it identically in both files, or only once",
                )


def check_configuration(app: Application, sink: ProblemSink) -> None:
    file = "configuration.yaml"
    seen: dict[str, int] = {}
    for i, resource in enumerate(app.configuration.resources):
        path: NodePath = ("configuration", "resources", i)
        rid = resource.resource_id
        if not rid:
            sink.error(file, path, "resource 'name' or 'id' is required", "add `name:`")
        elif rid in seen:
            sink.warning(
                file,
                path,
                f"resource '{rid}' is defined twice (the last one wins)",
                "remove one or rename it",
            )
        if rid:
            seen[rid] = i
        if not resource.type:
            sink.error(file, path, f"resource '{rid}' has no type", suggestion("", RESOURCE_TYPES))
        elif resource.type not in RESOURCE_TYPES:
            sink.error(
                file,
                (*path, "type"),
                f"unknown resource type '{resource.type}'",
                suggestion(resource.type, RESOURCE_TYPES),
            )
        elif resource.type in ("datasource", "vector-database"):
            if "service" not in (resource.configuration or {}):
                sink.error(
                    file,
                    (*path, "configuration"),
                    f"{resource.type} '{rid}' needs configuration.service",
                    "set `service:` (e.g. astra, cassandra, jdbc, opensearch, pinecone)",
                )
    for i, dep in enumerate(app.configuration.dependencies):
        path = ("configuration", "dependencies", i)
        if dep.type not in DEPENDENCY_TYPES:
            sink.error(
                file,
                (*path, "type"),
                f"unsupported dependency type: {dep.type}, only {list(DEPENDENCY_TYPES)}",
                "set `type: java-library`",
            )
        for key in ("name", "url", "sha512sum"):
            if getattr(dep, key) is None:
                sink.error(file, path, f"dependency {key} cannot be null", f"add `{key}:`")


def check_instance(instance: Instance, file: str, sink: ProblemSink) -> None:
    cluster = instance.streaming_cluster
    base: NodePath = ("instance",)
    if cluster is None:
        # LangStream cannot deploy without one; the workbench runs on its embedded broker
        sink.warning(
            file,
            base,
            "the instance has no streamingCluster (LangStream needs one to deploy)",
            "add `streamingCluster:` with `type: kafka` (or pulsar, pravega, noop)",
        )
    elif cluster.type not in STREAMING_CLUSTER_TYPES:
        sink.error(
            file,
            (*base, "streamingCluster", "type"),
            f"unknown streaming cluster type '{cluster.type}'",
            suggestion(cluster.type or "", STREAMING_CLUSTER_TYPES),
        )
    compute = instance.compute_cluster
    if compute is not None and compute.type not in COMPUTE_CLUSTER_TYPES:
        sink.error(
            file,
            (*base, "computeCluster", "type"),
            f"unknown compute cluster type '{compute.type}'",
            suggestion(compute.type or "", COMPUTE_CLUSTER_TYPES),
        )


def check_secrets(secrets: Secrets, file: str, sink: ProblemSink) -> None:
    ids: dict[str, int] = {}
    for i, secret in enumerate(secrets.secrets):
        path: NodePath = ("secrets", i)
        if not (secret.id or "").strip():
            sink.error(file, path, "found secret without id", "add `id:` to the secret")
        elif secret.id in ids:
            sink.error(
                file, (*path, "id"), f"found duplicate secret id: {secret.id}", "rename one of them"
            )
        else:
            ids[secret.id] = i


def validate_application(
    app: Application,
    graph: Graph,
    sink: ProblemSink,
    *,
    instance_given: bool,
    secrets_given: bool,
) -> None:
    """Every structural check; placeholders are checked by the loader (see resolved.py)."""
    check_pipeline_files(app, sink)
    check_agents(app, graph, sink)
    check_configuration_topics(app, sink)
    check_configuration(app, sink)
    check_gateways(app, graph, sink)
    from kernel_runtime.agents.ai.validation import check_agent_configurations

    # last: the runtime's own agents know more about their keys (not reported twice)
    check_agent_configurations(app, sink)
    if instance_given:
        check_instance(app.instance, app.instance_file, sink)
    if secrets_given:
        check_secrets(app.secrets, app.secrets_file, sink)
