"""`ai-chat-completions` and `ai-text-completions` (LangStream's ChatCompletionsStep and
TextCompletionsStep).

The `messages` contents (or `prompt` lines) are Mustache templates over the record
(`{{ value.question }}`, sections over `{{# value.documents}}...{{/ value.documents}}`). The
answer goes to `completion-field` (default: the whole value), a JSON log of the request to
`log-field`. With `stream-to-topic`, the answer is also written there while it is generated,
in messages of 1, 2, 4, ... up to `min-chunks-per-message` chunks, each a copy of the record
with the text in `stream-response-completion-field` (else `completion-field`) and the headers
`stream-id`, `stream-index` (from 1) and `stream-last-message` ("true" on the last one).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from kernel_runtime.agents.ai.providers import check_completions, completions_service
from kernel_runtime.agents.ai.step import (
    AIStep,
    NotRunnableHere,
    json_record,
    result_field,
    template,
)
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.expressions import to_json

ROLES = ("system", "user", "assistant", "function", "tool", "developer")
_COMMON = (
    "model",
    "stream-to-topic",
    "stream-response-completion-field",
    "min-chunks-per-message",
    "completion-field",
    "stream",
    "log-field",
    "max-tokens",
    "temperature",
    "top-p",
    "logit-bias",
    "user",
    "stop",
    "presence-penalty",
    "frequency-penalty",
    "ai-service",
    "options",
)
_NUMBERS = ("temperature", "top-p", "presence-penalty", "frequency-penalty")


def read_number(reader: ConfigReader, field: str) -> float | None:
    value = reader.config.get(field)
    if value is None:
        return None
    if isinstance(value, bool):
        raise reader.error(field, f"must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise reader.error(field, f"must be a number, got {value!r}") from None


def read_mapping(reader: ConfigReader, field: str) -> dict[str, Any] | None:
    value = reader.config.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise reader.error(field, f"must be a map, got {type(value).__name__}")
    return dict(value)


class CompletionsAgent(AIStep):
    """What chat and text completions share: options, the service, streaming to a topic."""

    KIND: ClassVar[str] = "chat"

    def configure_common(self, reader: ConfigReader) -> None:
        self.model = reader.string("model", required=True)
        self.options: dict[str, Any] = {"model": self.model}
        self.options["stream"] = reader.boolean("stream", True)
        self.options["min-chunks-per-message"] = reader.integer(
            "min-chunks-per-message", 20, minimum=1
        )
        max_tokens = reader.config.get("max-tokens")
        if max_tokens is not None:
            self.options["max-tokens"] = reader.integer("max-tokens", 0, minimum=1)
        for name in _NUMBERS:
            number = read_number(reader, name)
            if number is not None:
                self.options[name] = number
        for name in ("logit-bias", "options"):
            mapping = read_mapping(reader, name)
            if mapping is not None:
                self.options[name] = mapping
        if reader.config.get("user") is not None:
            self.options["user"] = reader.string("user")
        if reader.config.get("stop") is not None:
            self.options["stop"] = reader.strings("stop")
        self.completion_field = result_field(reader, "completion-field") or "value"
        self.stream_field = result_field(reader, "stream-response-completion-field")
        self.log_field = result_field(reader, "log-field")
        self.stream_topic = reader.string("stream-to-topic") or None
        reader.string("ai-service")
        if self.service_resource is None:
            raise AgentConfigError(
                f"{self.where()}: no AI service resource found in configuration.yaml; add an "
                "open-ai-configuration, ollama-configuration or hugging-face-configuration"
            )
        try:
            check_completions(self.service_resource, self.model)
        except AgentConfigError as error:
            raise NotRunnableHere(f"{self.where()}: {error}") from error
        self.service: Any = None
        self.producer: Any = None

    async def start(self) -> None:
        assert self.service_resource is not None
        self.service = completions_service(self.service_resource, self.model)
        if self.stream_topic:
            self.producer = self.context.get_topic_producer()

    async def close(self) -> None:
        if self.service is not None:
            await self.service.close()
            self.service = None

    def chunk_sink(self, mutable: MutableRecord) -> Any:
        if not self.stream_topic or self.producer is None:
            return None
        topic, field = self.stream_topic, self.stream_field or self.completion_field

        async def write(answer_id: str, index: int, text: str, last: bool) -> None:
            chunk = copy.deepcopy(mutable)
            chunk.properties["stream-id"] = answer_id
            chunk.properties["stream-index"] = str(index)
            chunk.properties["stream-last-message"] = "true" if last else "false"
            chunk.set_result_field(text, field)
            await self.producer.awrite(topic, chunk.to_record())

        return write

    def write_log(self, mutable: MutableRecord, messages: Any) -> None:
        if self.log_field:
            log = {"model": self.model, "options": self.options, "messages": messages}
            mutable.set_result_field(to_json(log), self.log_field)


class ChatCompletionsAgent(CompletionsAgent):
    agent_type = "ai-chat-completions"
    STEP_KEYS = ("messages", *_COMMON)

    def configure_step(self, reader: ConfigReader) -> None:
        self.messages: list[tuple[str | None, Any]] = []
        for index, item in enumerate(reader.items("messages", required=True)):
            message = reader.nested("messages", index, item, ("role", "content"))
            role = message.string("role")
            content = message.string("content", required=True)
            self.messages.append((role, template(message, "content", content or "", escape=True)))
        if not self.messages:
            raise reader.error("messages", "is empty; add at least one {role, content}")
        self.configure_common(reader)

    async def apply(self, mutable: MutableRecord) -> None:
        context = json_record(mutable)
        messages = [
            {"role": role or "user", "content": content.render(context)}
            for role, content in self.messages
        ]
        answer = await self.service.chat(messages, self.options, self.chunk_sink(mutable))
        mutable.set_result_field(answer, self.completion_field)
        self.write_log(mutable, messages)


class TextCompletionsAgent(CompletionsAgent):
    agent_type = "ai-text-completions"
    STEP_KEYS = ("prompt", "logprobs-field", "logprobs", *_COMMON)

    def configure_step(self, reader: ConfigReader) -> None:
        lines = reader.strings("prompt", required=True)
        if not lines:
            raise reader.error("prompt", "is empty; add at least one prompt line")
        self.prompt = [template(reader, f"prompt[{i}]", line) for i, line in enumerate(lines)]
        self.logprobs_field = result_field(reader, "logprobs-field")
        self.configure_common(reader)
        if reader.config.get("logprobs") is not None:
            self.options["logprobs"] = reader.integer("logprobs", 0, minimum=0)

    async def apply(self, mutable: MutableRecord) -> None:
        context = json_record(mutable)
        prompt = [line.render(context) for line in self.prompt]
        result = await self.service.text(prompt, self.options, self.chunk_sink(mutable))
        mutable.set_result_field(result.text, self.completion_field)
        self.write_log(mutable, prompt)
        if self.logprobs_field:
            mutable.set_result_field(
                {"tokens": result.tokens, "logprobs": result.logprobs}, self.logprobs_field
            )
