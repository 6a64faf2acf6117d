"""Service gateways with `agent-id`: the request is proxied to the service agent's HTTP server.

As LangStream: the path after the gateway id, the query string, the method, the headers and the
body reach the agent, and its answer (status, headers, body) comes back as it is streamed.
`credentials`, `test-credentials`, `param:*` and `option:*` are taken out of the query. Unlike
LangStream, `service-options.headers` are set on the proxied request (overriding any header of
the same name the client sent, so a client cannot claim another user's id), and the wait for
the agent's first byte is bounded: past `service_timeout` the answer is 504 with a JSON reason.

Where the agent listens: a `python-service` agent serves HTTP on port 8000 (the port LangStream
routes to) unless its configuration names another `port`; on 127.0.0.1 when it runs in the
gateway's process, at the address `--service-agent ID=HOST:PORT` gives when it runs in pods of
its own (on Kubernetes: its headless Service).
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from tornado import httputil
from tornado.httpclient import HTTPRequest, HTTPResponse
from tornado.iostream import StreamClosedError

from kernel_runtime.gateway.errors import BadGateway, GatewayTimeout
from kernel_runtime.gateway.headers import common_headers
from kernel_runtime.manifest import Application, ServiceOptions

if TYPE_CHECKING:
    from kernel_runtime.gateway.params import GatewayRequest
    from kernel_runtime.gateway.service import ServiceHandler

DEFAULT_SERVICE_PORT = 8000
GATEWAY_QUERY_KEYS = ("credentials", "test-credentials")
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "expect",
    }
)
ServiceAddress = Callable[[Application, str], tuple[str, int]]


def configured_port(configuration: Mapping[str, Any]) -> int | None:
    """The port a service agent's configuration names (8000 when none); None when invalid."""
    port = configuration.get("port", DEFAULT_SERVICE_PORT)
    try:
        port = int(port)
    except (TypeError, ValueError):
        return None
    return port if 0 < port < 65536 else None


def service_address(app: Application, agent_id: str) -> tuple[str, int]:
    """Host and port of a service agent in this process: loopback, its configuration's port."""
    try:
        agent = app.agent(agent_id)
    except KeyError:
        raise BadGateway(f"service agent {agent_id} is not an agent of the application") from None
    port = configured_port(agent.configuration)
    if port is None:
        raise BadGateway(
            f"service agent {agent_id} has configuration port {agent.configuration.get('port')!r}; "
            "the gateway needs a fixed port (1-65535) to reach it"
        )
    return "127.0.0.1", port


def mapped_service_address(addresses: Mapping[str, tuple[str, int]]) -> ServiceAddress:
    """Service agents that run elsewhere (their own pods) at the given addresses; the others
    in this process, as `service_address` finds them."""

    def resolve(app: Application, agent_id: str) -> tuple[str, int]:
        found = addresses.get(agent_id)
        return found if found is not None else service_address(app, agent_id)

    return resolve


def parse_service_agent(text: str) -> tuple[str, tuple[str, int]]:
    """`ID=HOST[:PORT]` (the `--service-agent` flag) -> (id, (host, port)); port 8000 by default."""
    agent_id, equals, address = text.partition("=")
    host, colon, port_text = address.rpartition(":") if ":" in address else (address, "", "")
    port = int(port_text) if port_text.isdigit() else None
    if not equals or not agent_id or not host or (colon and (port is None or not 0 < port < 65536)):
        raise ValueError(
            f"{text!r} is not ID=HOST[:PORT], e.g. "
            f"chat-service=my-app-chat-service.my-namespace.svc:{DEFAULT_SERVICE_PORT}"
        )
    return agent_id, (host, port or DEFAULT_SERVICE_PORT)


def forwarded_query(raw_query: str) -> str:
    """The raw query string without the gateway's own keys, encoding kept as sent."""
    kept = []
    for pair in raw_query.split("&") if raw_query else []:
        name = urllib.parse.unquote_plus(pair.split("=", 1)[0])
        if name in GATEWAY_QUERY_KEYS or name.startswith(("param:", "option:")):
            continue
        kept.append(pair)
    return "&".join(kept)


class _Relay:
    """Collects the agent's response head and streams its body chunks to the handler."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.head: asyncio.Future = loop.create_future()
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._start: httputil.ResponseStartLine | None = None
        self._headers = httputil.HTTPHeaders()

    def on_header(self, line: str) -> None:
        if line.startswith("HTTP/"):
            self._start = httputil.parse_response_start_line(line.strip())
            self._headers = httputil.HTTPHeaders()
        elif line.strip():
            self._headers.parse_line(line)
        elif self._start is not None and self._start.code >= 200 and not self.head.done():
            self.head.set_result((self._start, self._headers))

    def on_chunk(self, chunk: bytes) -> None:
        self.chunks.put_nowait(chunk)


async def proxy_to_agent(
    handler: ServiceHandler,
    request: GatewayRequest,
    options: ServiceOptions,
    path: str,
    timeout: float | None,
) -> None:
    """Forward the request to the agent; `path` is the rest of the URL path, as sent."""
    agent_id = options.agent_id or ""
    resolve: ServiceAddress = handler.server.service_address_for(request.served)
    host, port = resolve(request.served.app, agent_id)
    query = forwarded_query(handler.request.query)
    url = f"http://{host}:{port}{path}"
    if query:
        url += "?" + query
    headers = httputil.HTTPHeaders()
    for name, value in handler.request.headers.get_all():
        if name.lower() not in HOP_BY_HOP:
            headers.add(name, value)
    for name, value in common_headers(options.headers, request):
        headers[name] = value
    body = handler.received_body()
    method = handler.request.method or "GET"
    relay = _Relay()
    fetch: asyncio.Future[HTTPResponse] = asyncio.ensure_future(
        handler.server.http_client.fetch(
            HTTPRequest(
                url,
                method=method,
                headers=headers,
                body=body if body or method in ("POST", "PUT", "PATCH") else None,
                header_callback=relay.on_header,
                streaming_callback=relay.on_chunk,
                connect_timeout=timeout or 20.0,
                request_timeout=24 * 3600.0,
                follow_redirects=False,
                decompress_response=False,
                allow_nonstandard_methods=True,
            ),
            raise_error=False,
        )
    )
    handler.server.track(fetch)
    await asyncio.wait([relay.head, fetch], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if not relay.head.done():
        if fetch.done():
            error = fetch.exception() or fetch.result().error
            raise BadGateway(
                f"service agent {agent_id} at {host}:{port} did not answer: {error}; "
                "is it running and listening on that port?"
            )
        raise GatewayTimeout(
            request.error(
                f"service agent {agent_id} at {host}:{port} did not answer within {timeout:g}s; "
                "wait longer with option:timeout=<seconds>"
            )
        )
    start, response_headers = relay.head.result()
    handler.set_status(start.code, start.reason or None)
    passed = [
        (name, value)
        for name, value in response_headers.get_all()
        if name.lower() not in HOP_BY_HOP or name.lower() == "content-length"
    ]
    for name in {"Content-Type", *(name for name, _ in passed)}:
        handler.clear_header(name)
    for name, value in passed:
        handler.add_header(name, value)
    await _stream_body(handler, relay, fetch)


async def _stream_body(handler: Any, relay: _Relay, fetch: asyncio.Future) -> None:
    try:
        while True:
            getter = asyncio.ensure_future(relay.chunks.get())
            await asyncio.wait([getter, fetch], return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                break
            handler.write(getter.result())
            await handler.flush()
        while not relay.chunks.empty():
            handler.write(relay.chunks.get_nowait())
        handler.finish()
    except StreamClosedError:
        pass  # the client went away; the agent's answer is dropped
