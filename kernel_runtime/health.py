"""The HTTP health endpoint a runtime pod serves to Kubernetes' liveness and readiness probes.

    GET /healthz   200 while no executor has failed (liveness: a failed agent restarts the pod)
    GET /readyz    200 once every executor started and none failed (readiness)

Both answer a small JSON body with each executor's state. Served with asyncio streams on the
runtime's own loop, so an answer also proves the loop is not stuck. Binds 127.0.0.1 unless
told otherwise; pods pass `--health-host 0.0.0.0` so the kubelet can reach it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_REQUEST_LINE = 8192


class _Runtime(Protocol):
    def status(self) -> dict[str, Any]: ...


class HealthServer:
    """Answers probes for one runtime; `attach(runtime)` once it started, `detach()` to stop."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self._runtime: _Runtime | None = None
        self._stopping = False

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        if self.port == 0:
            self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def attach(self, runtime: _Runtime) -> None:
        self._runtime = runtime

    def detach(self) -> None:
        """Stopping: not ready any more (Kubernetes stops sending traffic), still alive."""
        self._stopping = True

    # ---- answers -------------------------------------------------------------------------

    def _executors(self) -> dict[str, str]:
        if self._runtime is None:
            return {}
        return {
            executor_id: str(status.get("state", "unknown"))
            for executor_id, status in self._runtime.status().items()
        }

    def check(self, path: str) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) for a probe path; 404 for any other path."""
        executors = self._executors()
        failed = sorted(e for e, state in executors.items() if state == "failed")
        if path == "/healthz":
            ok = not failed
        elif path == "/readyz":
            started = self._runtime is not None and not self._stopping
            ok = started and not failed and all(s == "running" for s in executors.values())
        else:
            return 404, {"error": f"no such path {path!r}; probes are /healthz and /readyz"}
        body = {"status": "ok" if ok else "unavailable", "executors": executors}
        if failed:
            body["failed"] = failed
        return (200 if ok else 503), body

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)) not in (
                b"\r\n",
                b"\n",
                b"",
            ):
                pass  # headers are not needed
            parts = request_line.decode("latin-1").split()
            if len(parts) < 2 or len(request_line) > MAX_REQUEST_LINE:
                status, body = 400, {"error": "malformed request line"}
            elif parts[0] not in ("GET", "HEAD"):
                status, body = 405, {"error": f"method {parts[0]} not allowed; use GET"}
            else:
                status, body = self.check(parts[1].split("?", 1)[0])
            payload = json.dumps(body).encode()
            reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
            head = (
                f"HTTP/1.1 {status} {reason.get(status, 'Service Unavailable')}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + (b"" if parts[:1] == ["HEAD"] else payload))
            await writer.drain()
        except (TimeoutError, ConnectionError) as error:
            log.debug("health probe connection dropped: %r", error)
        finally:
            writer.close()
