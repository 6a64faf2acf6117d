"""The registry and configuration validation shared by every built-in agent."""

from __future__ import annotations

import pytest
from langstream import Processor, Source

from kernel_runtime.agents.builtin import BUILTIN_AGENTS, AgentConfigError
from kernel_runtime.agents.errors import AgentConfigError as BaseAgentConfigError
from kernel_runtime.records import StreamRecord

from .builtin_helpers import make

EXPECTED = {
    "identity", "noop", "drop", "drop-fields", "merge-key-value", "unwrap-key-value", "cast",
    "flatten", "compute", "document-to-json", "text-normaliser", "timer-source", "log-event",
    "trigger-event", "dispatch",
}  # fmt: skip


def test_registry_has_langstream_types() -> None:
    assert EXPECTED <= set(BUILTIN_AGENTS)  # plus the AI, text and I/O agents
    assert AgentConfigError is BaseAgentConfigError
    assert issubclass(AgentConfigError, ValueError)


@pytest.mark.parametrize("agent_type", sorted(EXPECTED))
def test_agents_have_langstream_shapes(agent_type: str) -> None:
    cls = BUILTIN_AGENTS[agent_type]
    assert issubclass(cls, Source if agent_type == "timer-source" else Processor)


@pytest.mark.parametrize(
    "agent_type", sorted(EXPECTED - {"compute", "drop-fields", "cast", "trigger-event"})
)
def test_minimal_configuration_is_accepted_with_runtime_keys(agent_type: str) -> None:
    make(agent_type, {"resources": {}, "globals": {}, "composable": True})


def test_unknown_key_is_rejected_with_a_suggestion() -> None:
    with pytest.raises(AgentConfigError) as info:
        make("drop-fields", {"fields": ["a"], "prat": "value"})
    message = str(info.value)
    assert "agent 'step-1' (drop-fields)" in message
    assert "'prat' is unknown" in message
    assert "did you mean 'part'" in message


def test_bad_when_names_the_field_and_the_position() -> None:
    with pytest.raises(AgentConfigError) as info:
        make("drop", {"when": "value.x =="})
    message = str(info.value)
    assert "configuration 'when' is not a valid expression" in message
    assert "expected a value after '=='" in message


def test_wrong_types_are_rejected() -> None:
    with pytest.raises(AgentConfigError, match="'fields' must be a list"):
        make("drop-fields", {"fields": "a"})
    with pytest.raises(AgentConfigError, match="'make-lowercase' must be true or false"):
        make("text-normaliser", {"make-lowercase": "yes"})
    with pytest.raises(AgentConfigError, match="'period-seconds' must be at least 1"):
        make("timer-source", {"period-seconds": 0})


def test_string_booleans_are_accepted() -> None:
    agent = make("text-normaliser", {"make-lowercase": "false"})
    assert agent.make_lowercase is False


async def test_yaml_booleans_and_numbers_are_expressions() -> None:
    assert await make("drop", {"when": False}).process(StreamRecord("x")) != []
    assert await make("drop", {"when": True}).process(StreamRecord("x")) == []
    agent = make("compute", {"fields": [{"name": "value.n", "expression": 42}]})
    [out] = await agent.process(StreamRecord({}))
    assert out.value() == {"n": 42}
