"""`http-request` and `langserve-invoke` (LangStream's HttpRequestAgent, LangServeInvokeAgent).

`http-request`: `url` plus `query-string` (Mustache templates, URL-encoded), `headers`
(templates), `body` (template), `method`; the response body goes to `output-field`, parsed when
it is a JSON object. A status of 400 or more fails the record. Unlike LangStream (whose JMustache
compiler HTML-escapes here too), these templates render values raw: a URL parameter or a header
wants `a&b`, not `a&amp;b`.

`langserve-invoke`: POSTs `{"input": {<fields>}}` to a LangServe URL. `/invoke` answers
`{"output": ...}`: the output (or its `content-field`) goes to `output-field`. `/stream`
answers server-sent events (`event: data` / `data: <json>` ... `event: end`); each piece's
`content-field` is streamed to `stream-to-topic` in messages of 1, 2, 4, ... up to
`min-chunks-per-message` pieces (headers `stream-id`, `stream-index`, `stream-last-message`),
and the whole answer goes to `output-field`.
"""

from __future__ import annotations

import copy
import http.cookiejar
import json
from typing import Any
from urllib.parse import urlencode

from langstream import Processor, Record

from kernel_runtime.agents.ai.providers.base import ChunkRamp
from kernel_runtime.agents.ai.step import ConfiguredAgent, json_record, result_field, template
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.flow import read_fields
from kernel_runtime.agents.builtin.mustache import Template
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.records import StreamRecord

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
TIMEOUT_SECONDS = 300.0


def _templates(reader: ConfigReader, field: str) -> dict[str, Template]:
    value = reader.config.get(field) or {}
    if not isinstance(value, dict):
        raise reader.error(field, f"must be a map of name: template, got {type(value).__name__}")
    return {
        str(k): template(reader, f"{field}.{k}", str(v), escape=False) for k, v in value.items()
    }


def _url(reader: ConfigReader) -> str:
    url = reader.string("url", required=True) or ""
    if not url.startswith(("http://", "https://")):
        raise reader.error("url", f"{url!r} must start with http:// or https://")
    return url


def _parsed(text: str) -> Any:
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed if isinstance(parsed, dict) else text


class HttpAgent(ConfiguredAgent, Processor):
    """Shared: an httpx client that follows redirects and keeps cookies as configured."""

    def configure_client(self, reader: ConfigReader) -> None:
        self.allow_redirects = reader.boolean("allow-redirects", True)
        self.handle_cookies = reader.boolean("handle-cookies", True)
        self.headers = _templates(reader, "headers")
        self.client: Any = None

    async def start(self) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            follow_redirects=self.allow_redirects,
            timeout=httpx.Timeout(TIMEOUT_SECONDS, connect=10.0),
            cookies=None if self.handle_cookies else _NoCookies(),
        )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def request_headers(self, context: dict[str, Any]) -> dict[str, str]:
        return {name: value.render(context) for name, value in self.headers.items()}


class _NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing (`handle-cookies: false`)."""

    def set_cookie(self, cookie: Any) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class HttpRequestAgent(HttpAgent):
    agent_type = "http-request"
    KEYS = (
        "url",
        "output-field",
        "method",
        "headers",
        "query-string",
        "body",
        "allow-redirects",
        "handle-cookies",
    )

    def configure(self, reader: ConfigReader) -> None:
        self.url = _url(reader)
        self.output_field = result_field(reader, "output-field", required=True)
        self.method = (reader.string("method", "GET") or "GET").upper()
        if self.method not in METHODS:
            raise reader.error(
                "method", f"must be one of {', '.join(METHODS)}; got {self.method!r}"
            )
        self.query = _templates(reader, "query-string")
        body = reader.string("body")
        self.body = template(reader, "body", body, escape=False) if body is not None else None
        self.configure_client(reader)

    async def process(self, record: Record) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(record)
        context = json_record(mutable)
        url = self.url
        if self.query:
            url += "?" + urlencode({k: t.render(context) for k, t in self.query.items()})
        content = self.body.render(context).encode() if self.body is not None else None
        response = await self.client.request(
            self.method, url, headers=self.request_headers(context), content=content
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"{self.where()}: {self.method} {url} answered HTTP {response.status_code}: "
                f"{response.text[:500]}"
            )
        assert self.output_field is not None
        mutable.set_result_field(_parsed(response.text), self.output_field)
        return [mutable.to_record()]


class LangServeInvokeAgent(HttpAgent):
    agent_type = "langserve-invoke"
    KEYS = (
        "url",
        "output-field",
        "content-field",
        "stream-to-topic",
        "stream-response-field",
        "min-chunks-per-message",
        "debug",
        "method",
        "headers",
        "allow-redirects",
        "handle-cookies",
        "fields",
    )

    def configure(self, reader: ConfigReader) -> None:
        self.url = _url(reader)
        if not self.url.endswith(("/invoke", "/stream")):
            raise reader.error("url", f"{self.url!r} must end with /invoke or /stream (LangServe)")
        self.output_field = result_field(reader, "output-field", "value") or "value"
        self.stream_field = result_field(reader, "stream-response-field") or self.output_field
        self.content_field = reader.string("content-field", "content") or ""
        self.stream_topic = reader.string("stream-to-topic") or None
        self.min_chunks = reader.integer("min-chunks-per-message", 20, minimum=1)
        self.debug = reader.boolean("debug", False)
        self.method = (reader.string("method", "POST") or "POST").upper()
        self.fields = read_fields(reader, result_fields=False)
        self.configure_client(reader)
        self.producer: Any = None

    async def start(self) -> None:
        await super().start()
        if self.stream_topic:
            self.producer = self.context.get_topic_producer()

    def _content(self, data: Any, streaming: bool) -> Any:
        if not streaming and isinstance(data, dict):
            data = data.get("output")
        if isinstance(data, dict):
            return data.get(self.content_field) if self.content_field else json.dumps(data)
        return data

    async def process(self, record: Record) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(record)
        variables = mutable.variables()
        body = {"input": {f.name: f.expression.evaluate_variables(variables) for f in self.fields}}
        headers = {"Content-Type": "application/json", **self.request_headers(json_record(mutable))}
        if self.url.endswith("/invoke"):
            response = await self.client.request(self.method, self.url, json=body, headers=headers)
            self._check(response.status_code, response.text)
            answer = self._content(_parsed(response.text), streaming=False)
        else:
            answer = await self._stream(mutable, body, headers)
        mutable.set_result_field(answer, self.output_field)
        return [mutable.to_record()]

    def _check(self, status: int, text: str) -> None:
        if status >= 400:
            raise RuntimeError(f"{self.where()}: {self.url} answered HTTP {status}: {text[:500]}")

    async def _stream(self, mutable: MutableRecord, body: Any, headers: dict[str, str]) -> str:
        async def write(answer_id: str, index: int, text: str, last: bool) -> None:
            if self.producer is None:
                return
            chunk = copy.deepcopy(mutable)
            chunk.set_result_field(text, self.stream_field)
            chunk.properties["stream-id"] = answer_id
            chunk.properties["stream-index"] = str(index)
            chunk.properties["stream-last-message"] = "true" if last else "false"
            await self.producer.awrite(self.stream_topic, chunk.to_record())

        ramp = ChunkRamp(self.min_chunks, write)
        event = None
        async with self.client.stream(
            self.method, self.url, json=body, headers=headers
        ) as response:
            if response.status_code >= 400:
                self._check(
                    response.status_code, (await response.aread()).decode("utf-8", "replace")
                )
            async for line in response.aiter_lines():
                if self.debug:
                    self.log.info("%s: %s", self.where(), line)
                if line.startswith("event:"):
                    event = line[len("event:") :].strip()
                    if event == "end":
                        await ramp.feed(None, True)
                elif line.startswith("data:") and event == "data":
                    content = self._content(
                        _parsed_any(line[len("data:") :].strip()), streaming=True
                    )
                    await ramp.feed(str(content) if content is not None else None, False)
        await ramp.finish()
        return ramp.answer


def _parsed_any(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
