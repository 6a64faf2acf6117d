"""`ls-workbench run APP_DIR` serves the application's gateways and prints their URLs."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

from kernel_runtime.gateway import GatewayOptions
from kernel_runtime.gateway.server import start_gateway
from tests.conftest import APPS, PROJECT_ROOT
from tests.gateway.conftest import curl, stop

WAIT = 60.0


async def start_run(*args: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ls_workbench.cli",
        "run",
        *args,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    lines: list[str] = []
    async with asyncio.timeout(WAIT):
        while not lines or "press Ctrl-C" not in lines[-1]:
            line = await process.stdout.readline()
            if not line:
                raise AssertionError((await process.stderr.read()).decode())
            lines.append(line.decode().rstrip())
    return process, lines


async def test_run_serves_gateways_as_tenant_and_app_id(tmp_path):
    process, lines = await start_run(
        str(APPS / "gateway-release-notes"),
        "--tenant",
        "my-tenant",
        "--app-id",
        "my-app",
        "--gateway-port",
        "0",
        "--state-dir",
        str(tmp_path),
    )
    try:
        [service_line] = [line for line in lines if line.startswith("gateway user-input-await")]
        url = re.search(r"http://\S+", service_line).group(0)
        assert url.endswith("/api/gateways/service/my-tenant/my-app/user-input-await")
        assert any(line.startswith("gateway user-input (produce): ws://") for line in lines)

        answer = await curl(
            "-X", "POST", "-d", '{"value": "hello"}', "-H", "Content-Type: application/json", url
        )

        assert answer.status == 200
        assert answer.json()["record"]["value"] == "answer to hello"
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), WAIT)
        await stop(process)
    assert code == 0


async def test_taken_port_is_a_clear_error(tmp_path):
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ls_workbench.cli",
            "run",
            str(APPS / "gateway-chat"),
            "--gateway-port",
            str(port),
            "--state-dir",
            str(tmp_path),
            cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), WAIT)
    finally:
        blocker.close()

    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode()
    assert "--gateway-port" in err.decode()


async def test_start_gateway_serves_default_tenant_and_folder_name(start_app):
    runtime = await start_app("gateway-chat")

    server = await start_gateway(runtime, GatewayOptions(port=0))
    try:
        lines = server.urls()
        result = await curl(
            "-X",
            "POST",
            "-d",
            "hello",
            f"{server.base_url}/api/gateways/produce/default/gateway-chat/produce-plain",
        )
    finally:
        await server.stop()

    chat = next(line for line in lines if line.startswith("gateway chat (chat)"))
    assert "/v1/chat/default/gateway-chat/chat" in chat
    assert result.status == 200


async def test_no_gateway_server_for_an_application_without_gateways(start_app):
    runtime = await start_app("exclamation-source")

    assert await start_gateway(runtime, GatewayOptions(port=0)) is None
