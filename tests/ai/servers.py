"""Loopback stand-ins for services that cannot run here: OpenAI's and Ollama's HTTP protocols.

Small Tornado apps bound to 127.0.0.1 on a free port. They answer deterministically so tests
can assert on what agents did: a chat answer is `ANSWER_PREFIX` + the last message, streamed
word by word (OpenAI server-sent events, Ollama newline-delimited JSON); an embedding is
`fake_embedding(text)`. Every request body is kept in `requests` for assertions.
"""

from __future__ import annotations

import json
import math
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

ANSWER_PREFIX = "answer to: "


def fake_embedding(text: str, dimensions: int = 8) -> list[float]:
    """A unit vector from the letters of `text`: similar texts get similar vectors."""
    vector = [0.0] * dimensions
    for char in text.lower():
        if char.isalnum():
            vector[ord(char) % dimensions] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def answer_words(prompt: str) -> list[str]:
    words = (ANSWER_PREFIX + prompt).split(" ")
    return [word if i == len(words) - 1 else word + " " for i, word in enumerate(words)]


@dataclass
class FakeService:
    url: str
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for p, body in self.requests if p == path]


class _Handler(RequestHandler):
    def initialize(self, service: FakeService) -> None:
        self.service = service

    def body(self) -> dict[str, Any]:
        data = json.loads(self.request.body or b"{}")
        self.service.requests.append((self.request.path, data))
        return data


class OpenAIChat(_Handler):
    async def post(self) -> None:
        body = self.body()
        if self.request.headers.get("Authorization") != "Bearer test-key":
            self.set_status(401)
            self.write({"error": {"message": "bad key", "type": "invalid_request_error"}})
            return
        words = answer_words(body["messages"][-1]["content"])
        if not body.get("stream"):
            self.write(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(words)},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )
            return
        self.set_header("Content-Type", "text/event-stream")
        pieces: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        pieces += [{"content": word} for word in words]
        for i, delta in enumerate(pieces):
            finish = "stop" if i == len(pieces) - 1 else None
            chunk = {
                "id": "chatcmpl-stream",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": body["model"],
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self.write(f"data: {json.dumps(chunk)}\n\n")
            await self.flush()
        self.write("data: [DONE]\n\n")


class OpenAICompletions(_Handler):
    async def post(self) -> None:
        body = self.body()
        prompt = body["prompt"] if isinstance(body["prompt"], str) else " ".join(body["prompt"])
        words = answer_words(prompt)
        self.set_header("Content-Type", "text/event-stream")
        pieces = ["\n\n", *words]
        for i, text in enumerate(pieces):
            choice: dict[str, Any] = {
                "index": 0,
                "text": text,
                "finish_reason": "stop" if i == len(pieces) - 1 else None,
                "logprobs": {
                    "tokens": [text],
                    "token_logprobs": [-0.5],
                    "top_logprobs": None,
                    "text_offset": [0],
                }
                if body.get("logprobs") is not None
                else None,
            }
            chunk = {
                "id": "cmpl-1",
                "object": "text_completion",
                "created": 1,
                "model": body["model"],
                "choices": [choice],
            }
            self.write(f"data: {json.dumps(chunk)}\n\n")
            await self.flush()
        self.write("data: [DONE]\n\n")


class OpenAIEmbeddings(_Handler):
    def post(self) -> None:
        body = self.body()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": fake_embedding(text)}
            for i, text in enumerate(inputs)
        ]
        self.write(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )


class OllamaChat(_Handler):
    async def post(self) -> None:
        body = self.body()
        words = answer_words(body["messages"][-1]["content"])
        for word in words:
            self.write(
                json.dumps(
                    {
                        "model": body["model"],
                        "message": {"role": "assistant", "content": word},
                        "done": False,
                    }
                )
                + "\n"
            )
            await self.flush()
        self.write(
            json.dumps(
                {
                    "model": body["model"],
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                }
            )
            + "\n"
        )


class OllamaGenerate(_Handler):
    async def post(self) -> None:
        body = self.body()
        for word in answer_words(body["prompt"]):
            self.write(json.dumps({"model": body["model"], "response": word, "done": False}) + "\n")
            await self.flush()
        self.write(json.dumps({"model": body["model"], "response": "", "done": True}) + "\n")


class OllamaEmbeddings(_Handler):
    def post(self) -> None:
        body = self.body()
        if body.get("model") == "missing":
            self.set_status(404)
            self.write({"error": "model 'missing' not found"})
            return
        self.write({"embedding": fake_embedding(body["prompt"])})


def free_sockets() -> list[socket.socket]:
    return bind_sockets(0, "127.0.0.1")


@asynccontextmanager
async def serve(routes: list[tuple[str, type]], prefix: str = "") -> AsyncIterator[FakeService]:
    sockets = free_sockets()
    port = sockets[0].getsockname()[1]
    service = FakeService(f"http://127.0.0.1:{port}{prefix}")
    app = Application([(prefix + path, handler, {"service": service}) for path, handler in routes])
    server = HTTPServer(app)
    server.add_sockets(sockets)
    try:
        yield service
    finally:
        server.stop()
        await server.close_all_connections()


def openai_server() -> Any:
    """`async with openai_server() as service:` an OpenAI-protocol server at `service.url` (/v1)."""
    return serve(
        [
            ("/chat/completions", OpenAIChat),
            ("/completions", OpenAICompletions),
            ("/embeddings", OpenAIEmbeddings),
        ],
        prefix="/v1",
    )


def ollama_server() -> Any:
    return serve(
        [
            ("/api/chat", OllamaChat),
            ("/api/generate", OllamaGenerate),
            ("/api/embeddings", OllamaEmbeddings),
        ]
    )
