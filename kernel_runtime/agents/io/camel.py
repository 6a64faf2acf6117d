"""`camel-source` (LangStream's CamelSource) for the Camel components that make sense in Python.

`component-uri` (plus `component-options`, added as URI query parameters) picks the component:
`timer:`, `file:`, `http:`/`https:` (polling GET) and `kafka:` run here (see
`camel_components.py`). Any other Camel component is valid LangStream: the application exports
with it and runs on a LangStream cluster, but it cannot run in the kernel, which is said at
validation time. Records: the message body as value, the `key-header` header as key, the Camel
headers as headers, the component URI as origin; at most `max-buffered-records` per read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from langstream import Record, Source

from kernel_runtime.agents.ai.step import ConfiguredAgent, NotRunnableHere
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.agents.io.camel_components import (
    FileComponent,
    HttpPollingComponent,
    KafkaComponent,
    Message,
    TimerComponent,
)
from kernel_runtime.records import StreamRecord, now_millis

SUPPORTED = ("timer", "file", "http", "https", "kafka")


def split_uri(uri: str, extra: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """(scheme, path, options) of a Camel URI, `component-options` added to its query."""
    scheme, _, rest = uri.partition(":")
    path, _, query = rest.partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    options.update(
        {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in extra.items()}
    )
    return scheme.lower(), path, options


def build_component(uri: str, extra: dict[str, Any]) -> Any:
    scheme, path, options = split_uri(uri, extra)
    if scheme not in SUPPORTED:
        raise NotRunnableHere(
            f"Camel component {scheme!r} ({uri}) cannot run in ls-workbench; the exported "
            f"application still carries it for a LangStream cluster. Components that run here: "
            f"{', '.join(SUPPORTED)}"
        )
    if not path.strip("/"):
        raise AgentConfigError(f"Camel URI {uri!r} has no {scheme} target (e.g. {scheme}:name)")
    if scheme == "timer":
        return TimerComponent(path, options)
    if scheme == "file":
        return FileComponent(path, options)
    if scheme in ("http", "https"):
        split = urlsplit(uri)
        query = {k: v for k, v in options.items() if k != "delay"}
        url = f"{split.scheme}://{split.netloc}{split.path}" + (
            f"?{urlencode(query)}" if query else ""
        )
        return HttpPollingComponent(url, options)
    return KafkaComponent(path, options)


class CamelSource(ConfiguredAgent, Source):
    agent_type = "camel-source"
    KEYS = ("component-uri", "component-options", "max-buffered-records", "key-header")

    def configure(self, reader: ConfigReader) -> None:
        self.uri = reader.string("component-uri", required=True) or ""
        options = reader.config.get("component-options") or {}
        if not isinstance(options, dict):
            raise reader.error("component-options", "must be a map of Camel option: value")
        self.max_buffered = reader.integer("max-buffered-records", 100, minimum=1)
        self.key_header = reader.string("key-header") or None
        try:
            self.component = build_component(self.uri, options)
        except AgentConfigError as error:
            kind = NotRunnableHere if isinstance(error, NotRunnableHere) else AgentConfigError
            raise kind(f"{self.where()}: configuration 'component-uri': {error}") from error
        self.pending: dict[int, Message] = {}

    async def start(self) -> None:
        await self.component.open()

    async def close(self) -> None:
        await self.component.close()

    async def read(self) -> list[StreamRecord]:
        messages = (await self.component.poll())[: self.max_buffered]
        out = []
        for message in messages:
            key = message.headers.get(self.key_header) if self.key_header else None
            headers = [(k, v) for k, v in message.headers.items() if v is not None]
            record = StreamRecord(message.body, key, headers, self.uri, now_millis())
            self.pending[id(record)] = message
            out.append(record)
        return out

    async def commit(self, record: Record) -> None:
        message = self.pending.pop(id(record), None)
        if message is not None:
            await self.component.done(message)
