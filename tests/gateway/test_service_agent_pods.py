"""A gateway and a service agent in separate processes, as their pods run on Kubernetes.

`python -m kernel_runtime gateway --service-agent ID=HOST:PORT` tells the gateway where the
agent's pod listens (deploy passes the agent's headless Service). Here both are processes on
loopback: the gateway's own instance names a port where nothing listens, so an answer proves
the request went to the address the flag gave.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

from tests.conftest import APPS, PROJECT_ROOT
from tests.gateway.conftest import curl, stop
from tests.gateway.test_proxy import free_port

APP = APPS / "gateway-service-agent"
WAIT = 60.0
SECRETS = "secrets:\n  - id: google\n    data:\n      client-id: my-client-id\n"


def files(tmp_path: Path, name: str, port: int) -> list[str]:
    """-i/-s arguments: an instance with the agent's port as `chatbot-port`, and the secrets."""
    instance, secrets = tmp_path / f"{name}-instance.yaml", tmp_path / "secrets.yaml"
    instance.write_text(f"instance:\n  globals:\n    chatbot-port: {port}\n")
    secrets.write_text(SECRETS)
    return ["-i", str(instance), "-s", str(secrets)]


async def runtime(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kernel_runtime",
        *args,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(process: asyncio.subprocess.Process, pattern: str) -> str:
    async with asyncio.timeout(WAIT):
        while True:
            line = (await process.stdout.readline()).decode()
            assert line, (await process.stderr.read()).decode()
            if re.search(pattern, line):
                return line


async def test_the_gateway_proxies_to_the_agent_at_the_address_it_was_given(tmp_path):
    agent_port, nothing_there = free_port(), free_port()
    agent = await runtime(
        "run", str(APP), "--agent", "my-service-agent", *files(tmp_path, "agent", agent_port)
    )
    gateway = None
    try:
        await read_until(agent, "running my-service-agent")
        gateway = await runtime(
            "gateway",
            str(APP),
            *files(tmp_path, "gateway", nothing_there),
            "--port",
            "0",
            "--service-agent",
            f"my-service-agent=127.0.0.1:{agent_port}",
        )
        line = await read_until(gateway, "open-service")
        url = re.search(r"http://\S+/open-service", line).group(0)

        result = await curl(url + "/hello?x=1")
        for _ in range(100):  # the agent's main() starts its server in a thread
            if result.status == 200:
                break
            await asyncio.sleep(0.05)
            result = await curl(url + "/hello?x=1")

        assert result.status == 200, result.body
        assert result.json()["path"] == "/hello"
        assert result.json()["query"] == "x=1"
        gateway.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(gateway.wait(), WAIT) == 0
    finally:
        if gateway is not None:
            await stop(gateway)
        await stop(agent)


async def test_without_the_address_the_gateway_looks_on_loopback_and_says_so(tmp_path):
    nothing_there = free_port()
    gateway = await runtime(
        "gateway", str(APP), *files(tmp_path, "gw", nothing_there), "--port", "0"
    )
    try:
        line = await read_until(gateway, "open-service")
        url = re.search(r"http://\S+/open-service", line).group(0)
        result = await curl(url + "/hello")
        assert result.status == 502
        assert f"127.0.0.1:{nothing_there} did not answer" in result.body
    finally:
        await stop(gateway)


async def test_a_malformed_or_unknown_service_agent_is_refused(tmp_path):
    malformed = await runtime("gateway", str(APP), "--service-agent", "no-address")
    _, err = await asyncio.wait_for(malformed.communicate(), WAIT)
    assert malformed.returncode == 2
    assert "is not ID=HOST[:PORT]" in err.decode()

    unknown = await runtime(
        "gateway", str(APP), *files(tmp_path, "gw", 1), "--service-agent", "chat=svc:8000"
    )
    _, err = await asyncio.wait_for(unknown.communicate(), WAIT)
    assert unknown.returncode == 1
    assert "--service-agent names chat, not an agent of" in err.decode()
    assert "my-service-agent" in err.decode()
