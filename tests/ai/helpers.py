"""Create an AI agent as the runtime does (resources attached), with a recording context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel_runtime.agents.ai.resources import with_service_resources
from kernel_runtime.agents.builtin import BUILTIN_AGENTS
from kernel_runtime.agents.factory import call_agent_method
from kernel_runtime.records import StreamRecord, to_record


@dataclass
class Resource:
    type: str
    configuration: dict[str, Any]


class RecordingProducer:
    """The topic producer agents write streamed chunks with; keeps what was written."""

    def __init__(self) -> None:
        self.written: list[tuple[str, StreamRecord]] = []

    async def awrite(self, topic: str, record: Any) -> None:
        self.written.append((topic, to_record(record)))


@dataclass
class Context:
    agent_id: str = "step-1"
    state_directory: Path | None = None
    producer: RecordingProducer = field(default_factory=RecordingProducer)

    def get_persistent_state_directory(self) -> str | None:
        if self.state_directory is None:
            return None
        self.state_directory.mkdir(parents=True, exist_ok=True)
        return str(self.state_directory)

    def get_topic_producer(self) -> RecordingProducer:
        return self.producer


def configure(
    agent_type: str,
    config: dict[str, Any],
    resources: dict[str, Resource] | None = None,
    context: Context | None = None,
) -> Any:
    """An agent after `init` (not started): raises `AgentConfigError` on a bad configuration."""
    agent = BUILTIN_AGENTS[agent_type]()
    full = with_service_resources(agent_type, dict(config), resources or {})
    agent.init(full, context or Context())
    return agent


async def start(
    agent_type: str,
    config: dict[str, Any],
    resources: dict[str, Resource] | None = None,
    context: Context | None = None,
) -> Any:
    agent = configure(agent_type, config, resources, context)
    await call_agent_method(agent, "start")
    return agent


def openai_resource(url: str, **extra: Any) -> dict[str, Resource]:
    return {
        "openai": Resource("open-ai-configuration", {"access-key": "test-key", "url": url, **extra})
    }


def ollama_resource(url: str) -> dict[str, Resource]:
    return {"ollama": Resource("ollama-configuration", {"url": url})}
