"""The gateway server: one Tornado application serving the gateways of one or more applications.

    server = GatewayServer(GatewayOptions(port=0))
    server.serve(app, broker, tenant="default", application_id="my-app")
    await server.start()
    print(server.urls())
    ...
    await server.stop()

Runs on the asyncio loop of the runtime it serves (the broker's loop). Listens on 127.0.0.1
by default; `port=0` picks a free port (see `server.port` once started).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as TornadoApplication

from kernel_runtime.brokers.base import Broker
from kernel_runtime.gateway.auth import Authenticator, AuthSettings
from kernel_runtime.gateway.errors import GOING_AWAY, POLICY_VIOLATION, NotFound, close_reason
from kernel_runtime.gateway.handlers import GatewayMixin
from kernel_runtime.gateway.produce import ProduceHandler
from kernel_runtime.gateway.proxy import ServiceAddress, service_address
from kernel_runtime.gateway.registry import Registry, ServedApp
from kernel_runtime.gateway.service import ServiceHandler
from kernel_runtime.gateway.sockets import ChatSocket, ConsumeSocket, ProduceSocket
from kernel_runtime.gateway.sse import SseConsumeHandler
from kernel_runtime.manifest import Application

log = logging.getLogger("kernel_runtime.gateway")

DEFAULT_PORT = 8091
_ID = r"([^/]+)"
_PATH = rf"{_ID}/{_ID}/{_ID}"


@dataclass
class GatewayOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # accept `test-credentials` on gateways that allow test mode
    test_mode: bool = False
    # largest WebSocket message or HTTP body (413 / close 1009 above it)
    max_message_bytes: int = 10 * 1024 * 1024
    # how long a service gateway waits for its answer (504 after); option:timeout overrides
    service_timeout: float = 30.0
    # WebSocket pings: every `ping_interval` s; no pong within `ping_timeout` s closes
    ping_interval: float = 20.0
    ping_timeout: float | None = None
    # comment lines that keep idle Server-Sent Events streams open
    sse_keepalive: float = 15.0
    auth: AuthSettings = field(default_factory=AuthSettings)


class GatewayServer:
    def __init__(self, options: GatewayOptions | None = None) -> None:
        self.options = options or GatewayOptions()
        self.registry = Registry()
        self.authenticator = Authenticator(self.options.auth, test_mode=self.options.test_mode)
        self.sessions: set[Any] = set()
        self._tasks: set[asyncio.Future] = set()
        self._addresses: dict[int, ServiceAddress] = {}
        self._http: HTTPServer | None = None
        self.http_client: Any = None
        self.port: int | None = None

    # -- what is served --------------------------------------------------------------------
    def serve(
        self,
        app: Application,
        broker: Broker,
        *,
        tenant: str = "default",
        application_id: str | None = None,
        service_address: ServiceAddress | None = None,
    ) -> ServedApp:
        """Serve `app`'s gateways (again, if it changed) as tenant/application_id."""
        application_id = application_id or app.app_dir.name
        current = self.registry.apps.get((tenant, application_id))
        if current is not None and current.broker is broker:
            current.app = app
            served = current
        else:
            served = ServedApp(app, broker, tenant, application_id)
            self.registry.apps[(tenant, application_id)] = served
            if current is not None:
                self.track(current.close())
        if current is not None:
            # sessions on another broker than the application's cannot go on
            if served is current:
                self._close_outdated_sessions(current, app)
            else:
                self._close_outdated_sessions(current, None, "moved to another broker")
        if service_address is not None:
            self._addresses[id(served)] = service_address
        return served

    async def unserve(self, tenant: str, application_id: str) -> None:
        served = self.registry.apps.pop((tenant, application_id), None)
        if served is not None:
            self._close_outdated_sessions(served, None)
            await served.close()

    def _close_outdated_sessions(
        self, served: ServedApp, app: Application | None, why: str = "was removed"
    ) -> None:
        """Sessions opened under a gateway definition that no longer holds end with 1008."""
        for session in list(self.sessions):
            request = getattr(session, "gateway_request", None)
            if request is None or request.served is not served:
                continue
            old = request.gateway
            new = next(
                (g for g in (app.gateways if app else []) if (g.id, g.type) == (old.id, old.type)),
                None,
            )
            if new != old:
                what = why if new is None else "changed"
                session.close(
                    POLICY_VIOLATION,
                    close_reason(f"gateway {old.id} {what}; reconnect to use its new definition"),
                )

    def service_address_for(self, served: ServedApp) -> ServiceAddress:
        return self._addresses.get(id(served), service_address)

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        options = self.options
        application = TornadoApplication(
            [
                # LangStream's docs write the WebSocket paths without /v1: both are served
                (rf"(?:/v1)?/produce/{_PATH}", ProduceSocket, {"server": self}),
                (rf"(?:/v1)?/consume/{_PATH}", ConsumeSocket, {"server": self}),
                (rf"(?:/v1)?/chat/{_PATH}", ChatSocket, {"server": self}),
                (rf"/api/gateways/produce/{_PATH}", ProduceHandler, {"server": self}),
                (rf"/api/gateways/consume/{_PATH}", SseConsumeHandler, {"server": self}),
                (rf"/api/gateways/service/{_PATH}(/.*)?", ServiceHandler, {"server": self}),
            ],
            websocket_ping_interval=options.ping_interval or None,
            websocket_ping_timeout=options.ping_timeout,
            websocket_max_message_size=options.max_message_bytes,
            log_function=_log_request,
            default_handler_class=UnknownEndpoint,
            default_handler_args={"server": self},
        )
        # bodies are streamed and checked by the handlers (413); this bound only stops abuse
        self._http = HTTPServer(
            application,
            max_body_size=options.max_message_bytes * 2 + 65536,
            max_buffer_size=options.max_message_bytes * 2 + 65536,
            xheaders=False,
        )
        try:
            sockets = bind_sockets(options.port, options.host)
        except OSError as error:
            raise OSError(
                error.errno,
                f"the gateway cannot listen on {options.host}:{options.port}: {error.strerror}; "
                "pick another port with --gateway-port (0 = any free port)",
            ) from None
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self.http_client = AsyncHTTPClient(force_instance=True, max_clients=256)
        log.info("gateway listening on %s", self.base_url)

    async def stop(self) -> None:
        """Close every session (WebSocket close 1001), then the listener and the apps."""
        if self._http is None:
            return
        self._http.stop()
        for session in list(self.sessions):
            session.close(GOING_AWAY, "gateway stopping")
        await self._drain()
        await asyncio.wait_for(self._http.close_all_connections(), 10)
        await self._drain()
        for served in list(self.registry.apps.values()):
            await served.close()
        if self.http_client is not None:
            self.http_client.close()
        self._http = None

    async def _drain(self) -> None:
        for _ in range(3):
            pending = [task for task in self._tasks if not task.done()]
            if not pending:
                return
            await asyncio.wait(pending, timeout=5)

    def track(self, work: Awaitable[Any]) -> asyncio.Future:
        """Keep background work referenced until it ends; stop() waits for it."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def __aenter__(self) -> GatewayServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- where -------------------------------------------------------------------------------
    @property
    def address(self) -> tuple[str, int] | None:
        """(host, port) clients connect to, once started; None before."""
        if self._http is None or self.port is None:
            return None
        host = self.options.host if self.options.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        return host, self.port

    @property
    def base_url(self) -> str:
        host = self.options.host if self.options.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port if self.port is not None else self.options.port}"

    def urls(self) -> list[str]:
        """One line per gateway: its type, id and URL(s)."""
        http = self.base_url
        ws = "ws" + http[len("http") :]
        lines = []
        for (tenant, app_id), served in sorted(self.registry.apps.items()):
            for gateway in served.app.gateways:
                where = f"{tenant}/{app_id}/{gateway.id}"
                if gateway.type == "produce":
                    found = [f"{ws}/v1/produce/{where}", f"{http}/api/gateways/produce/{where}"]
                elif gateway.type == "consume":
                    found = [f"{ws}/v1/consume/{where}", f"{http}/api/gateways/consume/{where}"]
                elif gateway.type == "chat":
                    found = [f"{ws}/v1/chat/{where}"]
                else:
                    found = [f"{http}/api/gateways/service/{where}"]
                lines.append(f"gateway {gateway.id} ({gateway.type}): {'  '.join(found)}")
        return lines


class UnknownEndpoint(GatewayMixin):
    """Any other path: a JSON 404 that lists the gateway endpoints."""

    def prepare(self) -> None:
        raise NotFound(
            f"no gateway endpoint at {self.request.path}; endpoints: "
            "/v1/produce|consume|chat/{tenant}/{application}/{gateway} (WebSocket), "
            "/api/gateways/produce|consume|service/{tenant}/{application}/{gateway} (HTTP)"
        )


def _log_request(handler: Any) -> None:
    """Client errors are the client's business (debug); server errors are ours (warning)."""
    status = handler.get_status()
    level = logging.WARNING if status >= 500 else logging.DEBUG
    request = handler.request
    log.log(
        level,
        "%d %s %s (%.2f ms)",
        status,
        request.method,
        request.path,
        1000 * request.request_time(),
    )


async def start_gateway(runtime: Any, options: GatewayOptions) -> GatewayServer | None:
    """Serve a started ApplicationRuntime's gateways (None when it has none)."""
    if not runtime.app.gateways:
        return None
    server = GatewayServer(options)
    server.serve(
        runtime.app,
        runtime.broker,
        tenant=runtime.options.tenant,
        application_id=runtime.application_id,
    )
    await server.start()
    return server
