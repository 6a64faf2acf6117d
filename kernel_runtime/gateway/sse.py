"""Consume over HTTP as Server-Sent Events: GET /api/gateways/consume/{tenant}/{app}/{gateway}.

For clients that cannot hold a WebSocket (curl, browsers' EventSource, serverless functions).
Same gateway, parameters, filters and positions as the WebSocket consume endpoint; each record
is one event whose `data` is the ConsumePushMessage JSON and whose `id` is its offset token, so
an EventSource that reconnects (sending `Last-Event-ID`) resumes right after the last record it
received. A comment line every `sse_keepalive` seconds keeps idle connections open.
"""

from __future__ import annotations

import asyncio

from tornado.iostream import StreamClosedError

from kernel_runtime.gateway.consume import TopicReader
from kernel_runtime.gateway.handlers import GatewayMixin
from kernel_runtime.gateway.headers import header_filter
from kernel_runtime.gateway.messages import push_message


class SseConsumeHandler(GatewayMixin):
    kind = "consume"
    _gone = False

    async def get(self, *args: str) -> None:
        request = self.gateway_request = await self.open_request(*args)
        options = request.gateway.consume_options
        mappings = options.filters.headers if options and options.filters else None
        position = self.request.headers.get("Last-Event-ID") or request.options.get(
            "position", "latest"
        )
        reader = TopicReader(
            request.served.broker,
            request.gateway.topic or "",
            position,
            header_filter(mappings, request),
        )
        await reader.open()
        self.server.sessions.add(self)
        try:
            self.set_header("Content-Type", "text/event-stream; charset=utf-8")
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")
            await self.flush()
            await self._stream(reader, self.server.options.sse_keepalive)
        except StreamClosedError:
            pass
        finally:
            self.server.sessions.discard(self)
            await reader.close()
        if not self._gone:
            self.finish()

    async def _stream(self, reader: TopicReader, keepalive: float) -> None:
        loop = asyncio.get_running_loop()
        last_write = loop.time()
        while not self._gone:
            selected = await reader.read(timeout=min(1.0, keepalive))
            if selected:
                for record, offset in selected:
                    self.write(f"id: {offset}\ndata: {push_message(record, offset)}\n\n")
            elif loop.time() - last_write >= keepalive:
                self.write(": keepalive\n\n")
            else:
                continue
            await self.flush()
            last_write = loop.time()

    def on_connection_close(self) -> None:
        self._gone = True

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        """Called by the server when it stops: end the stream."""
        self._gone = True
