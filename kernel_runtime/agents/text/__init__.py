"""Text agents: `text-splitter`, `text-extractor`, `language-detector` (LangStream's
langstream-agents-text-processing). Registered through `kernel_runtime.agents.extra`."""

from __future__ import annotations

# see kernel_runtime/agents/ai/__init__.py: the registry must load first
import kernel_runtime.agents.builtin  # noqa: F401
