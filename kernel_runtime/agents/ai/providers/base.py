"""What every AI provider offers: chat and text completions, streamed in chunks, and embeddings.

`ChunkRamp` is LangStream's streaming rule (OpenAICompletionService, OllamaProvider): the first
message carries 1 chunk, then 2, 4, ... doubling up to `min-chunks-per-message`, so the first
words reach the user at once and later messages are bigger; the last message goes out when the
provider says the answer is finished, whatever its size. Indexes start at 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# (answer id, index from 1, text of the message, last) -> awaited before the next chunk
ChunkSink = Callable[[str, int, str, bool], Awaitable[None]]


@dataclass
class TextResult:
    """A text completion, with its log probabilities when the provider returned them."""

    text: str
    tokens: list[str] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)


class CompletionsService(Protocol):
    async def chat(
        self, messages: Sequence[dict[str, str]], options: dict[str, Any], sink: ChunkSink | None
    ) -> str: ...

    async def text(
        self, prompt: Sequence[str], options: dict[str, Any], sink: ChunkSink | None
    ) -> TextResult: ...

    async def close(self) -> None: ...


class EmbeddingsService(Protocol):
    async def embed(self, texts: Sequence[str], model: str) -> list[list[float]]: ...

    async def close(self) -> None: ...


class ChunkRamp:
    """Groups streamed pieces into messages of 1, 2, 4, ... up to `min_chunks` pieces."""

    def __init__(self, min_chunks: int, sink: ChunkSink | None, answer_id: str | None = None):
        self.min_chunks = max(1, min_chunks)
        self.sink = sink
        self.answer_id = answer_id or str(uuid.uuid4())
        self.total: list[str] = []
        self._pending: list[str] = []
        self._current = 1
        self._index = 0
        self.finished = False

    async def feed(self, content: str | None, last: bool) -> None:
        if self.finished:
            return
        if content:
            self._pending.append(content)
            self.total.append(content)
        if len(self._pending) >= self._current or last:
            self._current = min(self._current * 2, self.min_chunks)
            self._index += 1
            message = "".join(self._pending)
            self._pending.clear()
            if self.sink is not None:
                await self.sink(self.answer_id, self._index, message, last)
        if last:
            self.finished = True

    async def finish(self) -> None:
        """The stream ended without a final marker: send what is left as the last message."""
        if not self.finished:
            await self.feed(None, True)

    @property
    def answer(self) -> str:
        return "".join(self.total)
