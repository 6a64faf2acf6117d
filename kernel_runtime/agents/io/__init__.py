"""I/O agents: `http-request`, `langserve-invoke`, `webcrawler-source`, `s3-source`,
`camel-source`. Registered through `kernel_runtime.agents.extra`."""

from __future__ import annotations

# see kernel_runtime/agents/ai/__init__.py: the registry must load first
import kernel_runtime.agents.builtin  # noqa: F401
