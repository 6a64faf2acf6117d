"""`open-ai-configuration`: OpenAI, Azure OpenAI and any server speaking the OpenAI protocol.

Resource keys as LangStream's `OpenAIConfig`: `access-key` (required), `url` (optional endpoint),
`provider: openai | azure`. With Azure, `model` is the deployment name, and `api-version`
(ours; the Azure SDK LangStream uses picks one itself) defaults to `AZURE_API_VERSION`.
Requests carry the agent's `max-tokens`, `temperature`, `top-p`, `logit-bias`, `user`, `stop`,
`presence-penalty`, `frequency-penalty` (and `logprobs` for text), as LangStream passes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kernel_runtime.agents.ai.providers.base import ChunkRamp, ChunkSink, TextResult
from kernel_runtime.agents.errors import AgentConfigError

AZURE_API_VERSION = "2024-02-01"
PROVIDERS = ("openai", "azure")
_PASSED = {
    "max-tokens": "max_tokens",
    "temperature": "temperature",
    "top-p": "top_p",
    "logit-bias": "logit_bias",
    "user": "user",
    "stop": "stop",
    "presence-penalty": "presence_penalty",
    "frequency-penalty": "frequency_penalty",
}


def check_openai_resource(resource_id: str, config: dict[str, Any]) -> None:
    """Raise `AgentConfigError` for what LangStream would reject when it builds the client."""
    where = f"resource {resource_id!r} (open-ai-configuration) in configuration.yaml"
    if not config.get("access-key"):
        raise AgentConfigError(
            f"{where} needs `access-key` (your API key, usually ${{secrets.open-ai.access-key}})"
        )
    provider = str(config.get("provider") or "openai").lower()
    if provider not in PROVIDERS and "${" not in provider:
        raise AgentConfigError(
            f"{where}: provider {config.get('provider')!r} is unknown; use openai or azure"
        )
    if provider == "azure" and not config.get("url"):
        raise AgentConfigError(
            f"{where}: provider azure needs `url` (https://NAME.openai.azure.com)"
        )


def request_options(options: dict[str, Any]) -> dict[str, Any]:
    """The OpenAI request parameters set in the agent configuration."""
    return {api: options[key] for key, api in _PASSED.items() if options.get(key) is not None}


class OpenAIService:
    """Completions and embeddings through the official `openai` client (async)."""

    def __init__(self, config: dict[str, Any]) -> None:
        import openai

        key = str(config["access-key"])
        url = config.get("url") or None
        if str(config.get("provider") or "openai").lower() == "azure":
            self.client: Any = openai.AsyncAzureOpenAI(
                api_key=key,
                azure_endpoint=url,
                api_version=str(config.get("api-version") or AZURE_API_VERSION),
            )
        else:
            self.client = openai.AsyncOpenAI(api_key=key, base_url=url)

    async def chat(
        self, messages: Sequence[dict[str, str]], options: dict[str, Any], sink: ChunkSink | None
    ) -> str:
        params = request_options(options)
        model = options["model"]
        if not options.get("stream", True):
            response = await self.client.chat.completions.create(
                model=model, messages=list(messages), stream=False, **params
            )
            return response.choices[0].message.content or ""
        ramp = ChunkRamp(int(options.get("min-chunks-per-message") or 20), sink)
        stream = await self.client.chat.completions.create(
            model=model, messages=list(messages), stream=True, **params
        )
        async for chunk in stream:
            if not chunk.choices:
                continue
            ramp.answer_id = chunk.id or ramp.answer_id
            choice = chunk.choices[0]
            await ramp.feed(
                choice.delta.content if choice.delta else None, bool(choice.finish_reason)
            )
        await ramp.finish()
        return ramp.answer

    async def text(
        self, prompt: Sequence[str], options: dict[str, Any], sink: ChunkSink | None
    ) -> TextResult:
        params = request_options(options)
        if options.get("logprobs") is not None:
            params["logprobs"] = int(options["logprobs"])
        model = options["model"]
        if not options.get("stream", True):
            response = await self.client.completions.create(
                model=model, prompt=list(prompt), stream=False, **params
            )
            choice = response.choices[0]
            result = TextResult(choice.text or "")
            if choice.logprobs is not None:
                result.tokens = list(choice.logprobs.tokens or [])
                result.logprobs = list(choice.logprobs.token_logprobs or [])
            return result
        ramp = ChunkRamp(int(options.get("min-chunks-per-message") or 20), sink)
        result = TextResult("")
        first = True
        stream = await self.client.completions.create(
            model=model, prompt=list(prompt), stream=True, **params
        )
        async for chunk in stream:
            if not chunk.choices:
                continue
            ramp.answer_id = chunk.id or ramp.answer_id
            choice = chunk.choices[0]
            content = choice.text
            if content is None:
                continue
            if first:
                first = False
                if not content.strip():  # some models open with blank lines (as LangStream)
                    continue
            if choice.logprobs is not None:
                result.tokens += list(choice.logprobs.tokens or [])
                result.logprobs += list(choice.logprobs.token_logprobs or [])
            await ramp.feed(content, bool(choice.finish_reason))
        await ramp.finish()
        result.text = ramp.answer
        return result

    async def embed(self, texts: Sequence[str], model: str) -> list[list[float]]:
        response = await self.client.embeddings.create(model=model, input=list(texts))
        ordered = sorted(response.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered]

    async def close(self) -> None:
        await self.client.close()
