"""`ollama-configuration`: a local Ollama server (resource key `url`, e.g. http://localhost:11434).

Chat completions use Ollama's `/api/chat` with the messages and their roles (LangStream 0.6
joins the messages into one `/api/generate` prompt; `/api/chat` is what Ollama offers for
chats today), text completions `/api/generate`, embeddings `/api/embeddings`, one text per
request as LangStream does. Streams are newline-delimited JSON objects ending with `done: true`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kernel_runtime.agents.ai.providers.base import ChunkRamp, ChunkSink, TextResult
from kernel_runtime.agents.errors import AgentConfigError

_OPTIONS = {
    "temperature": "temperature",
    "top-p": "top_p",
    "max-tokens": "num_predict",
    "stop": "stop",
    "presence-penalty": "presence_penalty",
    "frequency-penalty": "frequency_penalty",
}


def check_ollama_resource(resource_id: str, config: dict[str, Any]) -> None:
    if not config.get("url"):
        raise AgentConfigError(
            f"resource {resource_id!r} (ollama-configuration) in configuration.yaml needs `url` "
            "(for example http://localhost:11434)"
        )


class OllamaError(RuntimeError):
    """Ollama answered with an HTTP error or an `error` field."""


def _model_options(options: dict[str, Any]) -> dict[str, Any]:
    found = {api: options[key] for key, api in _OPTIONS.items() if options.get(key) is not None}
    extra = options.get("options")
    if isinstance(extra, dict):
        found.update(extra)
    return found


class OllamaService:
    def __init__(self, config: dict[str, Any]) -> None:
        import httpx

        self.url = str(config["url"]).rstrip("/")
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(300.0, connect=10.0))

    async def _stream(self, path: str, body: dict[str, Any], ramp: ChunkRamp, part: str) -> None:
        async with self.client.stream("POST", self.url + path, json=body) as response:
            if response.status_code != 200:
                text = (await response.aread()).decode("utf-8", "replace")
                raise OllamaError(f"Ollama {path} answered HTTP {response.status_code}: {text}")
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                data = json.loads(line)
                if data.get("error"):
                    raise OllamaError(f"Ollama {path}: {data['error']}")
                content = data.get(part)
                if isinstance(content, dict):  # /api/chat: {"message": {"content": ...}}
                    content = content.get("content")
                await ramp.feed(content, bool(data.get("done")))
        await ramp.finish()

    async def chat(
        self, messages: Sequence[dict[str, str]], options: dict[str, Any], sink: ChunkSink | None
    ) -> str:
        body = {
            "model": options["model"],
            "messages": [
                {"role": m.get("role") or "user", "content": m["content"]} for m in messages
            ],
            "stream": bool(options.get("stream", True)),
            "options": _model_options(options),
        }
        ramp = ChunkRamp(int(options.get("min-chunks-per-message") or 20), sink)
        await self._stream("/api/chat", body, ramp, "message")
        return ramp.answer

    async def text(
        self, prompt: Sequence[str], options: dict[str, Any], sink: ChunkSink | None
    ) -> TextResult:
        body = {
            "model": options["model"],
            "prompt": "\n".join(prompt),
            "stream": bool(options.get("stream", True)),
            "options": _model_options(options),
        }
        ramp = ChunkRamp(int(options.get("min-chunks-per-message") or 20), sink)
        await self._stream("/api/generate", body, ramp, "response")
        return TextResult(ramp.answer)

    async def embed(self, texts: Sequence[str], model: str) -> list[list[float]]:
        vectors: list[list[float]] = []
        for text in texts:
            response = await self.client.post(
                self.url + "/api/embeddings", json={"model": model, "prompt": text}
            )
            data = response.json() if response.content else {}
            if response.status_code != 200 or data.get("error"):
                raise OllamaError(
                    f"Ollama /api/embeddings answered HTTP {response.status_code}: "
                    f"{data.get('error') or response.text}"
                )
            vectors.append([float(x) for x in data["embedding"]])
        return vectors

    async def close(self) -> None:
        await self.client.aclose()
