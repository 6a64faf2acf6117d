"""Helpers for the built-in agent tests: create an agent by LangStream type and init it."""

from __future__ import annotations

from typing import Any

from kernel_runtime.agents.builtin import BUILTIN_AGENTS


class FakeContext:
    agent_id = "step-1"

    def get_persistent_state_directory(self) -> None:
        return None


def make(agent_type: str, config: dict[str, Any] | None = None) -> Any:
    agent = BUILTIN_AGENTS[agent_type]()
    agent.init(dict(config or {}), FakeContext())
    return agent
