"""Gateway fixtures: an application served on a free loopback port, and real clients.

`serve("gateway-release-notes")` starts the application (embedded broker) and a GatewayServer
serving it as tenant `my-tenant`, application `my-app`; `curl(...)` runs /usr/bin/curl.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kernel_runtime.gateway import GatewayOptions, GatewayServer
from kernel_runtime.manifest import load_application
from kernel_runtime.runtime import ApplicationRuntime
from tests.conftest import APPS

CURL = shutil.which("curl") or "/usr/bin/curl"
TENANT, APP_ID = "my-tenant", "my-app"


@dataclass
class Served:
    runtime: ApplicationRuntime
    server: GatewayServer

    def http(self, kind: str, gateway: str, query: str = "") -> str:
        return f"{self.server.base_url}/api/gateways/{kind}/{TENANT}/{APP_ID}/{gateway}{query}"

    def ws(self, kind: str, gateway: str, query: str = "") -> str:
        base = "ws" + self.server.base_url[len("http") :]
        return f"{base}/v1/{kind}/{TENANT}/{APP_ID}/{gateway}{query}"


@pytest.fixture
async def serve(start_app, make_broker):
    """`await serve(app)`; `pipeline=False` serves the topics with no agent running."""
    servers: list[GatewayServer] = []

    async def serve(
        name: str | Path,
        *,
        instance: Path | None = None,
        secrets: Path | None = None,
        agents: list[str] | None = None,
        pipeline: bool = True,
        broker: Any = None,
        **options: Any,
    ) -> Served:
        if pipeline:
            runtime = await start_app(
                name, instance=instance, secrets=secrets, agents=agents, broker=broker
            )
        else:
            app_dir = name if isinstance(name, Path) else APPS / name
            app = load_application(app_dir, instance=instance, secrets=secrets).resolved()
            runtime = ApplicationRuntime(app, broker or await make_broker())
            await runtime.create_topics()
        server = GatewayServer(GatewayOptions(port=0, **options))
        server.serve(runtime.app, runtime.broker, tenant=TENANT, application_id=APP_ID)
        servers.append(server)
        await server.start()
        return Served(runtime, server)

    yield serve
    for server in servers:
        await server.stop()


@dataclass
class CurlResult:
    status: int
    body: str
    headers: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


async def curl(*args: str, timeout: float = 30.0) -> CurlResult:
    """Run curl; the status code comes from `-w`, the headers from `-D`."""
    process = await asyncio.create_subprocess_exec(
        CURL,
        "-sS",
        "-D",
        "/dev/stderr",
        "-w",
        "\n%{http_code}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    body, _, status = out.decode().rpartition("\n")
    return CurlResult(int(status or 0), body, err.decode())


async def stop(process: asyncio.subprocess.Process) -> None:
    """Stop a client we started (by its PID), whether or not it already ended."""
    if process.returncode is None:
        try:
            process.kill()
        except ProcessLookupError:
            pass
    await process.wait()
