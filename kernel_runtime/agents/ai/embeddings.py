"""`compute-ai-embeddings` (LangStream's ComputeAIEmbeddingsStep).

`text` is a Mustache template over the record; its embedding goes to `embeddings-field`. With
`loop-over` (an expression giving a list of maps, e.g. `value.documents`), each item is
embedded (`text` sees it as `record`: `{{ record.text }}`) and `embeddings-field` must be
`record.<name>`: the list is written back with that field set in each item.

Batching as LangStream: records are grouped `batch-size` at a time per bucket (`concurrency`
buckets by key), flushed every `flush-interval` ms, or one by one when it is 0 (the default).
To let records of a batch be gathered, `process` is synchronous and returns a future: the
runtime hands it a whole batch of records before it waits for any result.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Any

from langstream import Record

from kernel_runtime.agents.ai.batching import OrderedBatcher
from kernel_runtime.agents.ai.providers import check_embeddings, embeddings_service
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
from kernel_runtime.expressions import Expression
from kernel_runtime.records import StreamRecord

DEFAULT_MODEL = "text-embedding-ada-002"


class ComputeEmbeddingsAgent(AIStep):
    agent_type = "compute-ai-embeddings"
    STEP_KEYS = (
        "model",
        "text",
        "embeddings-field",
        "loop-over",
        "batch-size",
        "concurrency",
        "flush-interval",
        "ai-service",
        "options",
        "arguments",
        "model-url",
    )

    def configure_step(self, reader: ConfigReader) -> None:
        self.model = reader.string("model", DEFAULT_MODEL) or DEFAULT_MODEL
        self.template = template(reader, "text", reader.string("text", required=True) or "")
        self.loop_over_source = reader.string("loop-over") or None
        self.loop_over: Expression | None = (
            reader.expression("loop-over") if self.loop_over_source else None
        )
        field = reader.string("embeddings-field", required=True) or ""
        if self.loop_over is not None:
            if not field.startswith("record.") or "." in field[len("record.") :]:
                raise reader.error(
                    "embeddings-field",
                    f"is {field!r}; with loop-over it must be record.<name> (the field set in "
                    "each item of the list)",
                )
            self.item_field = field[len("record.") :]
            result_field(reader, "loop-over")
        else:
            self.embeddings_field = result_field(reader, "embeddings-field", required=True)
        self.batch_size = reader.integer("batch-size", 10, minimum=1)
        self.concurrency = reader.integer("concurrency", 4, minimum=1)
        self.flush_interval = reader.integer("flush-interval", 0, minimum=0)
        self.model_url = reader.string("model-url") or None
        reader.string("ai-service")
        for name in ("options", "arguments"):
            if reader.config.get(name) is not None and not isinstance(reader.config[name], dict):
                raise reader.error(name, "must be a map")
        if self.service_resource is None:
            raise AgentConfigError(
                f"{self.where()}: no AI service resource found in configuration.yaml; add an "
                "open-ai-configuration, ollama-configuration or hugging-face-configuration "
                "(provider: local runs all-MiniLM-L6-v2 in process)"
            )
        try:
            check_embeddings(self.service_resource, self.model, self.model_url)
        except AgentConfigError as error:
            raise NotRunnableHere(f"{self.where()}: {error}") from error
        self.service: Any = None
        self.batcher: OrderedBatcher[MutableRecord] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        assert self.service_resource is not None
        self.service = embeddings_service(self.service_resource, self.model, self.model_url)
        self.loop = asyncio.get_running_loop()
        self.batcher = OrderedBatcher(
            self._compute,
            batch_size=self.batch_size,
            flush_interval=self.flush_interval,
            buckets=self.concurrency,
        )

    async def close(self) -> None:
        if self.batcher is not None:
            await self.batcher.close()
            self.batcher = None
        if self.service is not None:
            await self.service.close()
            self.service = None

    def process(self, record: Record) -> Future:  # type: ignore[override]
        """Queue the record for its batch; the future resolves to the output records."""
        if self.loop is None:
            raise RuntimeError(f"{self.where()}: process() called before start()")
        return asyncio.run_coroutine_threadsafe(self._submit(record), self.loop)

    async def _submit(self, record: Record) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(record)
        if self.when is None or self.when.test(mutable.variables()):
            assert self.batcher is not None
            await self.batcher.add(
                mutable, mutable.key if mutable.key is not None else mutable.message_key
            )
        return [mutable.to_record()]

    async def _compute(self, batch: list[MutableRecord]) -> list[None]:
        texts: list[str] = []
        setters: list[Any] = []
        for mutable in batch:
            if self.loop_over is None:
                texts.append(self.template.render(json_record(mutable)))
                setters.append(self._value_setter(mutable))
                continue
            items = self.loop_over.evaluate_variables(mutable.variables()) or []
            copies = [dict(item) for item in items]
            for item in copies:
                texts.append(self.template.render({"record": item}))
                setters.append(self._item_setter(item))
            assert self.loop_over_source is not None
            mutable.set_result_field(copies, self.loop_over_source)
        vectors = await self.service.embed(texts, self.model) if texts else []
        if len(vectors) != len(texts):
            raise RuntimeError(
                f"{self.where()}: the AI service returned {len(vectors)} embeddings for "
                f"{len(texts)} texts"
            )
        for setter, vector in zip(setters, vectors, strict=True):
            setter(vector)
        return [None] * len(batch)

    def _value_setter(self, mutable: MutableRecord) -> Any:
        return lambda vector: mutable.set_result_field(vector, self.embeddings_field)

    def _item_setter(self, item: dict[str, Any]) -> Any:
        return lambda vector: item.__setitem__(self.item_field, vector)
