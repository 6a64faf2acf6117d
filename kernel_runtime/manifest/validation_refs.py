"""Topics named inside agent configurations, checked as LangStream's planner checks them.

The planner works on the resolved application and calls `module.resolveTopic` for:
`stream-to-topic` of ai-chat-completions, ai-text-completions (GenAIToolKitFunctionAgentProvider)
and langserve-invoke (HttpRequestAgentProvider, which also wants the url to end in /invoke or
/stream); `destination` of trigger-event and of each dispatch route, whose action must be
dispatch or drop, and drop takes no destination (FlowControlAgentsProvider). A name matches
when it equals a declared topic of the agent's module as written or once resolved.
"""

from __future__ import annotations

from typing import Any

from kernel_runtime.manifest.models.application import Application
from kernel_runtime.manifest.models.pipeline import AgentStep, Pipeline
from kernel_runtime.manifest.placeholders import PlaceholderResolver
from kernel_runtime.manifest.problems import NodePath, ProblemSink, did_you_mean, suggestion

STREAM_TO_TOPIC = ("ai-chat-completions", "ai-text-completions", "langserve-invoke")
ROUTE_ACTIONS = ("dispatch", "drop")


class _ModuleTopics:
    def __init__(self, app: Application) -> None:
        self.resolver = PlaceholderResolver(app.placeholder_context(), lambda issue: None)
        self.raw: dict[str, set[str]] = {}
        for pipeline in app.pipelines:
            names = {t.name for t in pipeline.topics if t.name}
            self.raw.setdefault(pipeline.module_id, set()).update(names)
        self.resolved = {
            module: {self.resolver.as_string(n) for n in names}
            for module, names in self.raw.items()
        }

    def known(self, module: str, name: str) -> bool:
        if name in self.raw.get(module, set()):
            return True
        value = self.resolver.as_string(name)
        return value is not None and value in self.resolved.get(module, set())


def _check_topic(
    topics: _ModuleTopics,
    pipeline: Pipeline,
    name: Any,
    path: NodePath,
    sink: ProblemSink,
) -> None:
    if not isinstance(name, str) or not name or topics.known(pipeline.module_id, name):
        return
    close = did_you_mean(name, topics.raw.get(pipeline.module_id, set()))
    sink.error(
        pipeline.file,
        path,
        f"topic '{name}' is not defined in module '{pipeline.module_id}'",
        f"did you mean '{close}'?" if close else "declare it under `topics:` in a pipeline file",
    )


def _check_step(
    topics: _ModuleTopics, pipeline: Pipeline, step: AgentStep, base: NodePath, sink: ProblemSink
) -> None:
    config = step.configuration or {}
    path: NodePath = (*base, "configuration")
    if step.type in STREAM_TO_TOPIC:
        _check_topic(
            topics, pipeline, config.get("stream-to-topic"), (*path, "stream-to-topic"), sink
        )
    if step.type == "langserve-invoke":
        url = (
            topics.resolver.as_string(config.get("url"))
            if isinstance(config.get("url"), str)
            else None
        )
        if url and not url.endswith(("/invoke", "/stream")):
            sink.error(
                pipeline.file,
                (*path, "url"),
                f"invalid url {url} for langserve-invoke, must end with /stream or /invoke",
                "point it at the chain's /invoke or /stream endpoint",
            )
    if step.type == "trigger-event":
        _check_topic(topics, pipeline, config.get("destination"), (*path, "destination"), sink)
    if step.type == "dispatch" and isinstance(config.get("routes"), list):
        for i, route in enumerate(config["routes"]):
            if not isinstance(route, dict):
                continue
            where = (*path, "routes", i)
            action = route.get("action") or "dispatch"
            if action not in ROUTE_ACTIONS:
                sink.error(
                    pipeline.file,
                    (*where, "action"),
                    f"invalid action '{action}' for route",
                    suggestion(str(action), ROUTE_ACTIONS),
                )
            elif action == "drop" and route.get("destination"):
                sink.error(
                    pipeline.file,
                    (*where, "destination"),
                    "drop action cannot have a destination",
                    "remove `destination:` or use `action: dispatch`",
                )
            else:
                _check_topic(
                    topics, pipeline, route.get("destination"), (*where, "destination"), sink
                )


def check_configuration_topics(app: Application, sink: ProblemSink) -> None:
    """Topic names inside agent configurations must be declared (skipped if a file is unreadable)."""
    if sink.unreadable:
        return
    topics = _ModuleTopics(app)
    for pipeline in app.pipelines:
        for index, step in enumerate(pipeline.steps):
            _check_step(topics, pipeline, step, ("pipeline", index), sink)
