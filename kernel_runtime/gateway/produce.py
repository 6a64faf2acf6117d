"""Producing through a gateway: records from ProduceRequests, HTTP POST and WebSocket sessions.

A record carries the gateway's configured headers (`produce-options.headers`, or the chat or
service headers) plus the request's own; a request may not override a configured header, as in
LangStream ("Header X is configured as parameter-level header."). An acknowledgement is sent
only once the broker acknowledged the record, so whatever a client saw acknowledged is on the
topic even if it disconnects right after.

WebSocket sessions pipeline: messages are parsed as they arrive, written in batches (one broker
round trip for many messages) and acknowledged in arrival order; at most `max_pending`
messages wait, after which the session stops reading from the socket (backpressure).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from tornado.web import stream_request_body

from kernel_runtime.brokers.base import BrokerError
from kernel_runtime.gateway.body import BodyLimitMixin, parse_body
from kernel_runtime.gateway.errors import GatewayError
from kernel_runtime.gateway.handlers import GatewayMixin
from kernel_runtime.gateway.headers import common_headers
from kernel_runtime.gateway.messages import (
    ProduceError,
    ProduceRequest,
    parse_produce_request,
    produce_response,
)
from kernel_runtime.gateway.registry import ServedApp
from kernel_runtime.records import StreamRecord, now_millis

log = logging.getLogger("kernel_runtime.gateway")
BATCH = 500
GATHER_IDLE_TICKS = 8


class GatewayProducer:
    """Writes one gateway's records to one topic."""

    def __init__(self, served: ServedApp, topic: str, headers: Sequence[tuple[str, str]]) -> None:
        self.served = served
        self.topic = topic
        self.headers = list(headers)
        self._configured = {name for name, _ in self.headers}

    def record(self, request: ProduceRequest) -> StreamRecord:
        if request.value is None and request.key is None:
            raise ProduceError("Either key or value must be set.")
        headers = list(self.headers)
        for name, value in (request.headers or {}).items():
            if name in self._configured:
                raise ProduceError(f"Header {name} is configured as parameter-level header.")
            headers.append((name, value))
        return StreamRecord(request.value, request.key, headers, timestamp=now_millis())

    async def send(self, records: list[StreamRecord]) -> None:
        try:
            await self.served.producer.send_batch(self.topic, records)
        except (BrokerError, OSError) as error:
            raise ProduceError(str(error), "PRODUCER_ERROR") from error


class ProduceSession:
    """Ordered, batched produce for one WebSocket: `submit` each message; `reply` gets the acks
    of each batch, in order."""

    def __init__(
        self,
        producer: GatewayProducer,
        reply: Callable[[list[str]], Awaitable[None] | None],
        max_pending: int = 1000,
    ) -> None:
        self.producer = producer
        self.reply = reply
        self.queue: asyncio.Queue[StreamRecord | ProduceError] = asyncio.Queue(max_pending)
        self.task = asyncio.ensure_future(self._run())

    def submit(self, payload: str | bytes) -> Awaitable[None] | None:
        """Queue a message; returns something to await only when the queue is full."""
        try:
            item: StreamRecord | ProduceError = self.producer.record(parse_produce_request(payload))
        except ProduceError as error:
            item = error
        if self.queue.full():
            return self.queue.put(item)
        self.queue.put_nowait(item)
        return None

    async def _run(self) -> None:
        queue = self.queue
        while True:
            items = [await queue.get()]
            idle = 0
            while len(items) < BATCH and idle < GATHER_IDLE_TICKS:
                if queue.empty():
                    # frames already received take a few loop turns to reach the queue
                    idle += 1
                    await asyncio.sleep(0)
                    continue
                idle = 0
                items.append(queue.get_nowait())
            answers: list[str] = []
            for run in _runs(items):
                if isinstance(run, ProduceError):
                    answers.append(produce_response(run.status, str(run)))
                    continue
                try:
                    await self.producer.send(run)
                    answers += [produce_response()] * len(run)
                except ProduceError as error:
                    answers += [produce_response(error.status, str(error))] * len(run)
            written = self.reply(answers)
            if written is not None:
                await written  # a client that does not read its acks stops being read

    async def close(self) -> None:
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


def _runs(items: list[StreamRecord | ProduceError]) -> list[list[StreamRecord] | ProduceError]:
    """Consecutive records grouped (one broker write each); errors stay in place."""
    runs: list[list[StreamRecord] | ProduceError] = []
    for item in items:
        if isinstance(item, ProduceError):
            runs.append(item)
        elif runs and isinstance(runs[-1], list):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


@stream_request_body
class ProduceHandler(BodyLimitMixin, GatewayMixin):
    """POST /api/gateways/produce/{tenant}/{application}/{gateway}"""

    kind = "produce"

    async def prepare(self) -> None:
        self.check_declared_length()
        self.gateway_request = await self.open_request(*self.path_args)

    async def post(self, *args: str) -> None:
        request = self.gateway_request
        gateway = request.gateway
        mappings = gateway.produce_options.headers if gateway.produce_options else None
        producer = GatewayProducer(
            request.served, gateway.topic or "", common_headers(mappings, request)
        )
        try:
            produce_request = parse_body(
                self.request.headers.get("Content-Type"), self.received_body()
            )
            record = producer.record(produce_request)
            await producer.send([record])
        except ProduceError as error:
            raise GatewayError(str(error), 400 if error.status == "BAD_REQUEST" else 500) from None
        self.set_header("Content-Type", "application/json")
        self.finish(produce_response())
