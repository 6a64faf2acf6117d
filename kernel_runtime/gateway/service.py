"""Service gateways: /api/gateways/service/{tenant}/{application}/{gateway}[/...].

With `input-topic`/`output-topic`: the request (a ProduceRequest, or text) is written to the
input topic with header `langstream-service-request-id` set to a fresh UUID; the answer is the
first record of the output topic carrying the same id (and matching `service-options.headers`),
returned as a ConsumePushMessage. Only POST, as in LangStream. The wait is bounded
(`service_timeout`, or `option:timeout=<seconds>`): past it the answer is 504 with a JSON
reason (LangStream waits for the TCP timeout, issue 630). A client that disconnects while it
waits ends the wait at once.

One `ResponseRouter` per output topic reads it for every request of the application, so a
request costs one produce and one dictionary lookup, not a consumer. The router is positioned
before the request is produced, so no answer can be missed.

With `agent-id`: the request is proxied to the agent (see proxy.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable

from tornado.web import stream_request_body

from kernel_runtime.brokers.base import Broker
from kernel_runtime.gateway.body import BodyLimitMixin, parse_body
from kernel_runtime.gateway.consume import TopicReader
from kernel_runtime.gateway.errors import GatewayError, GatewayTimeout
from kernel_runtime.gateway.handlers import GatewayMixin
from kernel_runtime.gateway.headers import common_headers, header_filter
from kernel_runtime.gateway.messages import ProduceError, ProduceRequest, as_text, push_message
from kernel_runtime.gateway.params import parse_timeout
from kernel_runtime.gateway.produce import GatewayProducer
from kernel_runtime.gateway.proxy import proxy_to_agent
from kernel_runtime.gateway.registry import ServedApp
from kernel_runtime.records import StreamRecord

log = logging.getLogger("kernel_runtime.gateway")
SERVICE_REQUEST_ID_HEADER = "langstream-service-request-id"
# the path after the gateway id, as sent (not percent-decoded)
_RAW_REST = re.compile(r"^/api/gateways/service/[^/]+/[^/]+/[^/]+(/.*)?$")
Waiter = tuple[asyncio.Future, Callable[[StreamRecord], bool] | None]


class ResponseRouter:
    """Reads an output topic from its end and resolves the request waiting for each record."""

    def __init__(self, broker: Broker, topic: str) -> None:
        self.reader = TopicReader(broker, topic, "latest")
        self.waiters: dict[str, Waiter] = {}
        self.task: asyncio.Task | None = None
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()

    async def start(self) -> None:
        try:
            await self.reader.open()
        except BaseException as error:
            self.ready.set_exception(error)
            self.ready.exception()  # retrieved: requests waiting on it re-raise it
            raise
        self.task = asyncio.create_task(self._route(), name=f"service-router-{self.reader.topic}")
        self.ready.set_result(None)

    def expect(
        self, request_id: str, keep: Callable[[StreamRecord], bool] | None
    ) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters[request_id] = (future, keep)
        return future

    def forget(self, request_id: str) -> None:
        self.waiters.pop(request_id, None)

    async def _route(self) -> None:
        while True:
            try:
                selected = await self.reader.read(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - fail the waiters, not silently
                for future, _ in self.waiters.values():
                    if not future.done():
                        future.set_exception(error)
                raise
            for record, offset in selected:
                request_id = as_text(record.header(SERVICE_REQUEST_ID_HEADER))
                waiter = self.waiters.get(request_id or "")
                if waiter is None:
                    continue
                future, keep = waiter
                if not future.done() and (keep is None or keep(record)):
                    future.set_result((record, offset))

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.reader.close()


async def router_for(served: ServedApp, topic: str) -> ResponseRouter:
    """The topic's router, started on first use (and again if it failed)."""
    router = served.routers.get(topic)
    if router is not None and router.task is not None and router.task.done():
        router = None
    if router is None:
        router = ResponseRouter(served.broker, topic)
        served.routers[topic] = router
        try:
            await router.start()
        except BaseException:
            served.routers.pop(topic, None)
            raise
    else:
        await asyncio.shield(router.ready)  # another request may still be starting it
    return router


@stream_request_body
class ServiceHandler(BodyLimitMixin, GatewayMixin):
    """Service gateways, over topics or proxied to a service agent."""

    kind = "service"
    SUPPORTED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
    _awaiting: asyncio.Future | None = None
    _client_gone = False

    def on_connection_close(self) -> None:
        """The client went away: stop waiting for its answer now, not at the timeout."""
        super().on_connection_close()
        self._client_gone = True
        if self._awaiting is not None and not self._awaiting.done():
            self._awaiting.cancel()

    async def prepare(self) -> None:
        self.check_declared_length()
        self.gateway_request = await self.open_request(*self.path_args[:3])

    async def _serve(self, *args: str | None) -> None:
        request = self.gateway_request
        options = request.gateway.service_options
        assert options is not None  # validated with the application
        timeout = parse_timeout(request, self.server.options.service_timeout)
        if options.agent_id:
            raw_rest = _RAW_REST.match(self.request.path)
            path = (raw_rest.group(1) if raw_rest else None) or "/"
            await proxy_to_agent(self, request, options, path, timeout)
            return
        if self.request.method != "POST":
            raise GatewayError(
                request.error("Only POST method is supported by service gateways over topics")
            )
        await self._round_trip(timeout)

    async def _round_trip(self, timeout: float | None) -> None:
        request = self.gateway_request
        options = request.gateway.service_options
        served = request.served
        try:
            body = parse_body(self.request.headers.get("Content-Type"), self.received_body())
        except ProduceError as error:
            raise GatewayError(str(error)) from None
        producer = GatewayProducer(
            served, options.input_topic or "", common_headers(options.headers, request)
        )
        request_id = str(uuid.uuid4())
        router = await router_for(served, options.output_topic or "")
        answer = router.expect(request_id, header_filter(options.headers, request))
        try:
            headers = dict(body.headers or {})
            headers[SERVICE_REQUEST_ID_HEADER] = request_id
            try:
                record = producer.record(ProduceRequest(body.key, body.value, headers))
                await producer.send([record])
            except ProduceError as error:
                raise GatewayError(
                    str(error), 400 if error.status == "BAD_REQUEST" else 500
                ) from None
            self._awaiting = answer
            try:
                record, offset = await asyncio.wait_for(answer, timeout)
            except asyncio.CancelledError:
                if self._client_gone and answer.cancelled():
                    log.info("service request %s: the client went away", request_id)
                    return  # nobody to answer; the router forgets the request below
                raise
            except TimeoutError:
                raise GatewayTimeout(
                    request.error(
                        f"no answer on topic {options.output_topic} within {timeout:g}s for "
                        f"{SERVICE_REQUEST_ID_HEADER}={request_id}; is the pipeline from "
                        f"{options.input_topic} running and keeping the request's headers? "
                        "Wait longer with option:timeout=<seconds>"
                    )
                ) from None
        finally:
            router.forget(request_id)
        self.set_header("Content-Type", "application/json")
        self.finish(push_message(record, offset))

    get = post = put = delete = patch = head = options = _serve  # type: ignore[assignment]
