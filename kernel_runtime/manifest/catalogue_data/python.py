"""Custom Python agents (PythonCodeAgentProvider).

Always composable; unknown keys are allowed (everything is handed to the Python class).
``python-function`` is accepted by the planner as an alias of ``python-processor``
(same component and model), but LangStream's runtime code provider has no
implementation registered for it.
"""

from __future__ import annotations

from ._model import AgentType, ComponentType, ConfigField, agent, f


def _python_fields() -> list[ConfigField]:
    # PythonConfig.className, shared by all five python-* models
    return [
        f(
            "className",
            "string",
            "Python class to instantiate, from the application's python/ directory.",
            required=True,
        )
    ]


def _python(name: str, component: ComponentType, desc: str) -> AgentType:
    return agent(
        name, component, desc, composable=True, fields=_python_fields(), allow_unknown=True
    )


PYTHON_AGENTS: list[AgentType] = [
    _python("python-source", "source", "Runs your own Python source."),
    _python("python-sink", "sink", "Runs your own Python sink."),
    _python("python-processor", "processor", "Runs your own Python processor."),
    _python("python-function", "processor", "Alias of python-processor."),
    _python("python-service", "service", "Runs your own Python service."),
]
