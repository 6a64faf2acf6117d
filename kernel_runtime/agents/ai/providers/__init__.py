"""Pick the provider of an AI service resource; check its configuration before anything runs.

`check_*` functions only read configuration (they run at validation and `init` time);
`*_service` functions build the client (at `start`).
"""

from __future__ import annotations

from typing import Any

from kernel_runtime.agents.ai.providers.base import (
    ChunkRamp,
    ChunkSink,
    CompletionsService,
    EmbeddingsService,
    TextResult,
)
from kernel_runtime.agents.ai.resources import ResourceRef
from kernel_runtime.agents.errors import AgentConfigError

RUNNABLE = (
    "open-ai-configuration, ollama-configuration, hugging-face-configuration (provider: local)"
)

__all__ = [
    "ChunkRamp",
    "ChunkSink",
    "CompletionsService",
    "EmbeddingsService",
    "TextResult",
    "check_completions",
    "check_embeddings",
    "completions_service",
    "embeddings_service",
]


def _unsupported(ref: ResourceRef, what: str) -> AgentConfigError:
    return AgentConfigError(
        f"resource {ref.id!r} ({ref.type}) cannot serve {what} in ls-workbench; the exported "
        f"application still uses it on a LangStream cluster. To run here, use one of: {RUNNABLE}"
    )


def _hugging_face_provider(ref: ResourceRef) -> str:
    return str(ref.configuration.get("provider") or "api").lower()


def check_completions(ref: ResourceRef, model: str | None) -> None:
    if ref.type == "open-ai-configuration":
        from kernel_runtime.agents.ai.providers.openai_provider import check_openai_resource

        check_openai_resource(ref.id, ref.configuration)
    elif ref.type == "ollama-configuration":
        from kernel_runtime.agents.ai.providers.ollama import check_ollama_resource

        check_ollama_resource(ref.id, ref.configuration)
    elif ref.type == "hugging-face-configuration" and _hugging_face_provider(ref) == "local":
        from kernel_runtime.agents.ai.providers.local import completion_model_file

        completion_model_file(model)
    else:
        raise _unsupported(ref, "completions")


def completions_service(ref: ResourceRef, model: str | None) -> Any:
    check_completions(ref, model)
    if ref.type == "open-ai-configuration":
        from kernel_runtime.agents.ai.providers.openai_provider import OpenAIService

        return OpenAIService(ref.configuration)
    if ref.type == "ollama-configuration":
        from kernel_runtime.agents.ai.providers.ollama import OllamaService

        return OllamaService(ref.configuration)
    from kernel_runtime.agents.ai.providers.local import LocalCompletions

    return LocalCompletions(model)


def check_embeddings(ref: ResourceRef, model: str | None, model_url: str | None) -> None:
    if ref.type == "open-ai-configuration":
        from kernel_runtime.agents.ai.providers.openai_provider import check_openai_resource

        check_openai_resource(ref.id, ref.configuration)
    elif ref.type == "ollama-configuration":
        from kernel_runtime.agents.ai.providers.ollama import check_ollama_resource

        check_ollama_resource(ref.id, ref.configuration)
    elif ref.type == "hugging-face-configuration" and _hugging_face_provider(ref) == "local":
        from kernel_runtime.agents.ai.providers.local import embedding_model_path

        embedding_model_path(model, model_url)
    else:
        raise _unsupported(ref, "embeddings")


def embeddings_service(ref: ResourceRef, model: str | None, model_url: str | None) -> Any:
    check_embeddings(ref, model, model_url)
    if ref.type == "open-ai-configuration":
        from kernel_runtime.agents.ai.providers.openai_provider import OpenAIService

        return OpenAIService(ref.configuration)
    if ref.type == "ollama-configuration":
        from kernel_runtime.agents.ai.providers.ollama import OllamaService

        return OllamaService(ref.configuration)
    from kernel_runtime.agents.ai.providers.local import LocalEmbeddings

    return LocalEmbeddings(model, model_url)
