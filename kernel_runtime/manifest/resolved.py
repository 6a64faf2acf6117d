"""`Application.resolved()`: a copy with placeholders resolved where LangStream resolves them.

ApplicationPlaceholderResolver.resolvePlaceholders (langstream-core) touches exactly: agent
configurations and input/output topic names, declared topic names (not their options or
config), asset configs, resource configurations, gateway `topic`, `events-topic` and
authentication configuration, and the instance (streaming and compute cluster
configurations, globals). We do the same, plus configuration.yaml's default globals so
that `app.globals` of the copy is resolved too. Secrets themselves are never resolved.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.placeholders import PlaceholderIssue, PlaceholderResolver
from kernel_runtime.manifest.problems import NodePath, ProblemSink


def _resolver(
    context: Mapping[str, Any],
    file: str,
    base: NodePath,
    sink: ProblemSink,
    skip_roots: Collection[str],
) -> PlaceholderResolver:
    def report(issue: PlaceholderIssue) -> None:
        if issue.root not in skip_roots:
            severity = "error" if issue.severity == "error" else "warning"
            sink.add(file, (*base, *issue.path), issue.message, issue.hint, severity)

    return PlaceholderResolver(context, report)


def resolve_into(
    app: Application, sink: ProblemSink, skip_roots: Collection[str] = ()
) -> Application:
    """Resolved copy of `app`; unresolved placeholders go to `sink`.

    `skip_roots` ("secrets", "globals", "cluster") silences the roots whose source file was
    not given, so that validating without a secrets file does not report every secret.
    """
    new = app.model_copy(deep=True)
    # the context is built once from the unresolved application, as LangStream does
    context = app.placeholder_context()

    def at(file: str, base: NodePath = ()) -> PlaceholderResolver:
        return _resolver(context, file, base, sink, skip_roots)

    for pipeline in new.pipelines:
        for i, step in enumerate(pipeline.steps):
            base = ("pipeline", i)
            step.configuration = at(pipeline.file).mapping(
                step.configuration, (*base, "configuration")
            )
            step.input = at(pipeline.file).as_string(step.input, (*base, "input"))
            step.output = at(pipeline.file).as_string(step.output, (*base, "output"))
        for i, topic in enumerate(pipeline.topics):
            topic.name = at(pipeline.file).as_string(topic.name, ("topics", i, "name"))
        for i, asset in enumerate(pipeline.assets):
            if asset.config is not None:
                asset.config = at(pipeline.file).mapping(asset.config, ("assets", i, "config"))

    config_base: NodePath = ("configuration",)
    for i, resource in enumerate(new.configuration.resources):
        if resource.configuration is not None:
            resource.configuration = at("configuration.yaml").mapping(
                resource.configuration, (*config_base, "resources", i, "configuration")
            )
    defaults = new.configuration.defaults
    if defaults is not None and defaults.globals is not None:
        defaults.globals = at("configuration.yaml").mapping(
            defaults.globals, (*config_base, "defaults", "globals")
        )

    for i, gateway in enumerate(new.gateways):
        base = ("gateways", i)
        gateway.topic = at("gateways.yaml").as_string(gateway.topic, (*base, "topic"))
        gateway.events_topic = at("gateways.yaml").as_string(
            gateway.events_topic, (*base, "events-topic")
        )
        auth = gateway.authentication
        if auth is not None and auth.configuration is not None:
            auth.configuration = at("gateways.yaml").mapping(
                auth.configuration, (*base, "authentication", "configuration")
            )

    instance_file = app.instance_file
    instance = new.instance
    if instance.streaming_cluster is not None:
        instance.streaming_cluster.configuration = at(instance_file).mapping(
            instance.streaming_cluster.configuration,
            ("instance", "streamingCluster", "configuration"),
        )
    if instance.compute_cluster is not None:
        instance.compute_cluster.configuration = at(instance_file).mapping(
            instance.compute_cluster.configuration,
            ("instance", "computeCluster", "configuration"),
        )
    if instance.globals is not None:
        instance.globals = at(instance_file).mapping(instance.globals, ("instance", "globals"))
    return new


def resolve_application(app: Application) -> Application:
    """Resolved copy; missing references become warnings on it, bad placeholders raise."""
    sink = ProblemSink(lines=dict(app._lines))
    new = resolve_into(app, sink)
    sink.raise_if_errors()
    new.warnings = list(app.warnings) + [w for w in sink.warnings if w not in app.warnings]
    return new
