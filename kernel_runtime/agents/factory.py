"""Create and initialise the agent object behind a pipeline step: a user class or a built-in."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

from kernel_runtime.agents.python_loader import load_agent_class
from kernel_runtime.manifest import Application, ResolvedAgent

PYTHON_AGENT_TYPES = frozenset(
    {"python-source", "python-processor", "python-function", "python-sink", "python-service"}
)


def builtin_agents() -> dict[str, type]:
    from kernel_runtime.agents.builtin import BUILTIN_AGENTS

    return BUILTIN_AGENTS


def runnable_types() -> frozenset[str]:
    """Agent types this runtime can run (others still validate, for export to LangStream)."""
    return PYTHON_AGENT_TYPES | frozenset(builtin_agents())


def agent_configuration(agent: ResolvedAgent, app: Application) -> dict[str, Any]:
    """The dict `init` receives: the step's configuration, plus resources and globals.

    LangStream's PythonCodeAgentProvider adds `resources` (configuration.yaml resources by id or
    name) and `globals` to Python agents' configuration; built-ins get the same, harmlessly.
    """
    config = dict(agent.configuration)
    config["resources"] = {
        name: dict(resource.configuration) for name, resource in app.resources_by_name().items()
    }
    config["globals"] = dict(app.globals)
    if agent.type not in PYTHON_AGENT_TYPES:
        from kernel_runtime.agents.ai.resources import with_service_resources

        # AI agents get their AI service / datasource resource with its type, as LangStream's planner
        return with_service_resources(agent.type, config, app.resources_by_name())
    return config


async def call_agent_method(agent: Any, name: str, *args: Any) -> Any:
    """Call an optional lifecycle method the way LangStream does.

    Missing methods are skipped; coroutine methods are awaited; sync ones run in a worker thread;
    extra positional arguments are dropped when the method declares fewer (`def init(self, config)`).
    """
    method = getattr(agent, name, None)
    if not callable(method):
        return None
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        parameters = []
    if not any(p.kind is p.VAR_POSITIONAL for p in parameters):
        args = args[
            : len([p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
        ]
    if inspect.iscoroutinefunction(method):
        return await method(*args)
    return await asyncio.to_thread(method, *args)


def agent_class(agent: ResolvedAgent, app_dir: Path, *, reload: bool = False) -> type:
    if agent.type in PYTHON_AGENT_TYPES:
        return load_agent_class(
            app_dir, str(agent.configuration.get("className", "")), agent_id=agent.id, reload=reload
        )
    builtins = builtin_agents()
    if agent.type not in builtins:
        raise NotImplementedError(
            f"agent {agent.id!r} has type {agent.type!r}, which ls-workbench cannot run yet "
            f"({agent.location}); it is valid LangStream and exports unchanged for a LangStream "
            f"cluster. Runnable types: {', '.join(sorted(runnable_types()))}"
        )
    return builtins[agent.type]


async def create_agent(
    agent: ResolvedAgent, app: Application, context: Any, *, reload: bool = False
) -> Any:
    """Instantiate, `init` and `start` the agent; exceptions propagate with the agent named."""
    cls = agent_class(agent, app.app_dir, reload=reload)
    instance = cls()
    try:
        await call_agent_method(instance, "init", agent_configuration(agent, app), context)
        await call_agent_method(instance, "start")
    except Exception as error:
        raise AgentInitError(
            f"agent {agent.id!r} ({agent.type}): init failed: {error!r}"
        ) from error
    return instance


class AgentInitError(RuntimeError):
    """`init` or `start` of an agent raised."""
