"""Built-in agents, by LangStream agent type.

Each is a `langstream.Processor` or `langstream.Source` like a user agent: `init(config,
context)` validates the configuration (raising `AgentConfigError`), `process(record)` is async.
"""

from __future__ import annotations

from kernel_runtime.agents.builtin.compute import ComputeAgent
from kernel_runtime.agents.builtin.flow import DispatchAgent, LogEventAgent, TriggerEventAgent
from kernel_runtime.agents.builtin.simple import IdentityAgent, NoopAgent
from kernel_runtime.agents.builtin.text import DocumentToJsonAgent, TextNormaliserAgent
from kernel_runtime.agents.builtin.timer import TimerSource
from kernel_runtime.agents.builtin.transform import (
    CastAgent,
    DropAgent,
    DropFieldsAgent,
    FlattenAgent,
    MergeKeyValueAgent,
    UnwrapKeyValueAgent,
)
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.agents.extra import EXTRA_AGENTS

BUILTIN_AGENTS: dict[str, type] = {
    cls.agent_type: cls
    for cls in (
        IdentityAgent,
        NoopAgent,
        DropAgent,
        DropFieldsAgent,
        MergeKeyValueAgent,
        UnwrapKeyValueAgent,
        CastAgent,
        FlattenAgent,
        ComputeAgent,
        DocumentToJsonAgent,
        TextNormaliserAgent,
        TimerSource,
        LogEventAgent,
        TriggerEventAgent,
        DispatchAgent,
        *EXTRA_AGENTS,
    )
}

__all__ = ["BUILTIN_AGENTS", "AgentConfigError"]
