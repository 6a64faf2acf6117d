"""The health endpoint pods are probed on, and `python -m kernel_runtime run --health-port`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kernel_runtime.__main__ import build_parser
from kernel_runtime.health import HealthServer

APPS = Path(__file__).parent.parent / "apps"


class FakeRuntime:
    def __init__(self, **states: str) -> None:
        self.states = states

    def status(self) -> dict:
        return {executor: {"state": state} for executor, state in self.states.items()}


async def test_ready_only_once_attached_and_running_alive_until_a_failure() -> None:
    health = HealthServer(port=0)
    assert health.check("/healthz")[0] == 200
    assert health.check("/readyz")[0] == 503  # not started yet
    runtime = FakeRuntime(a="running", b="starting")
    health.attach(runtime)
    assert health.check("/readyz")[0] == 503
    runtime.states["b"] = "running"
    assert health.check("/readyz") == (
        200,
        {"status": "ok", "executors": {"a": "running", "b": "running"}},
    )
    runtime.states["a"] = "failed"
    code, body = health.check("/healthz")
    assert code == 503 and body["failed"] == ["a"]
    runtime.states["a"] = "running"
    health.detach()
    assert health.check("/readyz")[0] == 503 and health.check("/healthz")[0] == 200
    assert health.check("/metrics")[0] == 404


async def test_serves_http_on_loopback() -> None:
    import asyncio

    health = HealthServer(port=0)
    await health.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", health.port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        response = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert json.loads(body)["status"] == "ok"
        reader, writer = await asyncio.open_connection("127.0.0.1", health.port)
        writer.write(b"POST /healthz HTTP/1.1\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), timeout=10)).startswith(b"HTTP/1.1 405")
        writer.close()
    finally:
        await health.stop()


def test_replica_is_an_index_or_a_statefulset_pod_name() -> None:
    parser = build_parser()
    assert parser.parse_args(["run", "app", "--replica", "2"]).replica == 2
    assert parser.parse_args(["run", "app", "--replica", "my-app-counter-11"]).replica == 11
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "app", "--replica", "counter"])


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_pod_command_serves_readiness_then_stops_on_sigterm(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "kernel_runtime",
        "run",
        str(APPS / "exclamation-processor"),
        "--agent",
        "exclamation",
        "--replica",
        "exclamation-processor-exclamation-0",
        "--state-dir",
        str(tmp_path / "state"),
        "--health-port",
        str(port),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=Path(__file__).parents[2],
    )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = _get(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                answer = None
            if answer and answer[0] == 200:
                break
            time.sleep(0.1)
        assert answer is not None and answer[0] == 200, answer
        assert answer[1]["executors"] == {"exclamation": "running"}
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "running exclamation" in out


async def test_a_pod_runs_only_its_own_replica(tmp_path, start_app) -> None:
    from kernel_runtime.agents.executor import ExecutorOptions
    from kernel_runtime.runtime import RuntimeOptions

    app_dir = tmp_path / "wide"
    app_dir.mkdir()
    (app_dir / "pipeline.yaml").write_text(
        "pipeline:\n  - id: copy\n    type: identity\n    input: a\n    output: b\n"
        "    resources: {parallelism: 3}\n"
        "topics: [{name: a, creation-mode: create-if-not-exists},"
        " {name: b, creation-mode: create-if-not-exists}]\n"
    )
    options = RuntimeOptions(state_root=tmp_path / "s", executor=ExecutorOptions(replicas=[2]))
    runtime = await start_app(app_dir, options=options)
    assert [replica.index for replica in runtime.executors["copy"].replicas] == [2]
    await runtime.send("a", "x")
    assert [r.value() for r in await runtime.collect("b", count=1, timeout=10)] == ["x"]
