"""Agent-specific configuration checks at validation time (`ls-workbench validate`, load).

The manifest checks what LangStream's catalogue says (required and unknown keys, resources
that exist). The AI, text and I/O agents know more (a Mustache template that does not parse,
a `mode` that is not query|execute, a Camel URI this runtime cannot read, ...): this runs the
agent's own `init` — which only reads configuration — and reports what it rejects, so a bad
pipeline fails before it starts rather than at its first record.

Skipped when the catalogue already reported the agent (one problem, not two) or when the
configuration holds `${...}` placeholders (checked again at run time, once resolved). What is
valid LangStream but cannot run in the kernel (a Vertex AI resource, a missing local model)
is a warning: the application still exports and deploys.
"""

from __future__ import annotations

from typing import Any

from kernel_runtime.agents.ai.resources import with_service_resources
from kernel_runtime.agents.ai.step import ConfiguredAgent, NotRunnableHere
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.manifest.problems import NodePath, ProblemSink, format_path


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    return False


def _already_reported(sink: ProblemSink, file: str, path: NodePath) -> bool:
    prefix = format_path(path)
    return any(
        p.file == file and (p.path == prefix or p.path.startswith((prefix + ".", prefix + "[")))
        for p in sink.errors
    )


def check_agent_configurations(app: Any, sink: ProblemSink) -> None:
    """Every step of every pipeline file, after the catalogue checks."""
    for pipeline in app.pipelines:
        for index, step in enumerate(pipeline.steps):
            check_agent_configuration(app, step, pipeline.file, ("pipeline", index), sink)


def check_agent_configuration(
    app: Any, step: Any, file: str, path: NodePath, sink: ProblemSink
) -> None:
    """Report what the agent's `init` rejects in `step.configuration`."""
    from kernel_runtime.agents.builtin import BUILTIN_AGENTS

    cls = BUILTIN_AGENTS.get(step.type or "")
    if cls is None or not issubclass(cls, ConfiguredAgent):
        return
    config = dict(step.configuration or {})
    if _has_placeholder(config) or _already_reported(sink, file, path):
        return
    resources = app.resources_by_name()
    config["resources"] = {name: dict(r.configuration or {}) for name, r in resources.items()}
    config["globals"] = dict(getattr(app, "globals", {}) or {})
    with_service_resources(step.type, config, resources)
    try:
        cls().init(config, None)
    except NotRunnableHere as error:
        sink.warning(file, (*path, "configuration"), f"{error} (runs on a LangStream cluster only)")
    except AgentConfigError as error:
        sink.error(file, (*path, "configuration"), str(error))
