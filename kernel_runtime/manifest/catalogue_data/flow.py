"""Flow control agents (FlowControlAgentsProvider) and the core identity / noop agents.

Flow control agents are always composable and reject unknown keys. ``fields`` lists hold
``{name, expression}`` maps (both required); dispatch ``routes`` hold
``{when, destination, action}`` maps where action is 'dispatch' (default) or 'drop'.
"""

from __future__ import annotations

from ._model import AgentType, agent, f

_GENERATED_FIELDS = "List of {name, expression} setting fields of the generated record."

FLOW_AGENTS: list[AgentType] = [
    agent(
        "dispatch",
        "processor",
        "Routes records to other topics, or drops them, based on conditions.",
        composable=True,
        fields=[f("routes", "array", "List of {when, destination, action} routes.")],
    ),
    agent(
        "timer-source",
        "source",
        "Emits a record periodically to trigger a pipeline.",
        composable=True,
        fields=[
            f("fields", "array", _GENERATED_FIELDS),
            f("period-seconds", "integer", "Timer period in seconds.", default=60),
        ],
    ),
    agent(
        "trigger-event",
        "processor",
        "Emits an extra record to a side topic when a record arrives.",
        composable=True,
        fields=[
            f("fields", "array", _GENERATED_FIELDS),
            f("when", "string", "EL condition to emit the event.", default="true"),
            f(
                "continue-processing",
                "boolean",
                "Also pass the record downstream after emitting the event.",
                default=True,
            ),
            f("destination", "string", "Topic to emit the event to.", required=True),
        ],
    ),
    agent(
        "log-event",
        "processor",
        "Logs a line in the agent logs for each record.",
        composable=True,
        fields=[
            f("fields", "array", "List of {name, expression} to log."),
            f("message", "string", "Log message template (Mustache)."),
            f("when", "string", "EL condition to log.", default="true"),
        ],
    ),
]

CORE_AGENTS: list[AgentType] = [
    agent(
        "identity",
        "processor",
        "Passes records from input to output unchanged.",
        composable=True,
        fields=[],
    ),
    # NoOpAgentNodeProvider: only for the "none" compute cluster, no model, not composable
    agent(
        "noop",
        "processor",
        "Does nothing (planner tests with the 'none' compute cluster).",
        composable=False,
    ),
]

# Created by the planner when it fuses composable agents; not written by users.
INTERNAL_AGENTS: list[AgentType] = [
    agent(
        "composite-agent",
        "processor",
        "Planner-internal: several composable agents run in one process.",
        composable=True,
    ),
]
