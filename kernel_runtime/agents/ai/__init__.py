"""LangStream's AI agents: completions, embeddings, queries, vector stores, re-ranking.

Importing this package is cheap: provider clients and databases are imported when an agent
starts, so applications that do not use them never load `openai`, `duckdb` or a local model.
The agents are registered in `BUILTIN_AGENTS` through `kernel_runtime.agents.extra`.
"""

from __future__ import annotations

# The registry imports these agents, and they import the built-ins' helpers: load the registry
# first, whichever module is imported first.
import kernel_runtime.agents.builtin  # noqa: F401
