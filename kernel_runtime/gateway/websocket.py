"""The WebSocket side of the gateway: handshake checks, sessions, close codes, keepalive.

The handshake is refused with an HTTP status and the JSON error body when the gateway, the
query or the credentials are wrong (404, 400, 401), before any upgrade. Once open, a session
ends with LangStream's close codes: 1008 (policy violation) when the client's request turns
out to be wrong, 1011 (server error) when the gateway or the broker fails, 1001 when the
gateway shuts down. Pings every `ping_interval` seconds keep idle connections open through
proxies and close dead ones (LangStream issue 351).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from kernel_runtime.gateway import events
from kernel_runtime.gateway.errors import (
    POLICY_VIOLATION,
    SERVER_ERROR,
    UNSUPPORTED_DATA,
    GatewayError,
    close_reason,
)
from kernel_runtime.gateway.handlers import GatewayMixin
from kernel_runtime.gateway.messages import push_message
from kernel_runtime.gateway.params import GatewayRequest

log = logging.getLogger("kernel_runtime.gateway")


def text_frames(texts: list[str]) -> bytes:
    """Unmasked, uncompressed server text frames (RFC 6455 section 5.2), back to back."""
    parts = []
    for text in texts:
        payload = text.encode("utf-8")
        size = len(payload)
        if size < 126:
            parts.append(bytes((0x81, size)))
        elif size < 65536:
            parts.append(bytes((0x81, 126)) + size.to_bytes(2, "big"))
        else:
            parts.append(bytes((0x81, 127)) + size.to_bytes(8, "big"))
        parts.append(payload)
    return b"".join(parts)


class GatewaySocket(GatewayMixin, WebSocketHandler):
    gateway_request: GatewayRequest
    _opened = False
    _set_up = False

    async def prepare(self) -> None:
        self._tasks: set[asyncio.Future] = set()
        self.gateway_request = await self.open_request(*self.path_args)
        self._set_up = True
        try:
            await self.setup()
        except BaseException:
            await self._release()
            raise

    def on_finish(self) -> None:
        # the handshake was answered without an upgrade (e.g. a plain GET): nothing will open
        if self._set_up and self.get_status() != 101:
            self.server.track(asyncio.ensure_future(self._release()))

    async def _release(self) -> None:
        if self._set_up:
            self._set_up = False
            await self.teardown()

    async def setup(self) -> None:
        """Create readers/producers; errors refuse the handshake."""

    async def teardown(self) -> None:
        """Close what `setup` created."""

    def check_origin(self, origin: str) -> bool:
        return True  # LangStream's gateway allows every origin

    def open(self, *args: str) -> None:
        self._opened = True
        self.server.sessions.add(self)
        # not spawned: an event already under way is written even if the session ends now
        self.server.track(events.send(self.gateway_request, "ClientConnected"))
        self.started()

    def started(self) -> None:
        """The socket is open: start pushing."""

    def spawn(self, work: Awaitable[Any]) -> asyncio.Future:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        self.server.track(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def send(self, texts: list[str]) -> Awaitable[None] | None:
        """Write text frames in one write (one system call for a batch of acks); the future
        resolves once written. Dropped if the client is gone."""
        connection = self.ws_connection
        if connection is None or connection.is_closing():
            return None
        if self.get_compression_options() is not None:  # never, unless a subclass enables it
            written = None
            for text in texts:
                written = self.write_message(text)
            return written
        try:
            return connection.stream.write(text_frames(texts))
        except StreamClosedError:
            return None

    def refuse_binary(self, message: str | bytes) -> bool:
        """LangStream's gateway speaks text frames only; binary ones close the session (1003)."""
        if isinstance(message, bytes):
            self.close(UNSUPPORTED_DATA, "Binary messages not supported")
            return True
        return False

    def fail(self, error: BaseException) -> None:
        if isinstance(error, (GatewayError, ValueError)):
            code = POLICY_VIOLATION
        else:
            code = SERVER_ERROR
            log.error("gateway %s session failed", self.gateway_request.gateway.id, exc_info=error)
        self.close(code, close_reason(str(error) or type(error).__name__))

    def on_close(self) -> None:
        if not self._opened:
            return
        self._opened = False
        self.server.sessions.discard(self)
        for task in list(self._tasks):
            task.cancel()
        self.server.track(asyncio.ensure_future(self._finish()))

    async def _finish(self) -> None:
        try:
            await self._release()
        finally:
            await events.send(self.gateway_request, "ClientDisconnected")

    async def pump(self, reader: Any) -> None:
        """Push every record the reader selects; used by consume and chat sessions."""
        try:
            while self.ws_connection is not None and not self.ws_connection.is_closing():
                for record, offset in await reader.read(timeout=1.0):
                    await self.write_message(push_message(record, offset))
        except WebSocketClosedError:
            pass
        except Exception as error:  # noqa: BLE001 - every failure closes with its code
            self.fail(error)
