"""The local broker: tansu on a loopback port, from Python and as `ls-workbench broker`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from kernel_runtime.brokers.base import TopicSpec
from kernel_runtime.brokers.tansu import TansuBroker, TansuError, accepts_connections, free_port
from tests.conftest import PROJECT_ROOT
from tests.kafka.fixtures import kafka_broker, skip_without_tansu


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (not reaped yet) is gone too
        return stat.read().split()[2] == "Z"


def test_starts_on_a_free_loopback_port_and_stops_with_a_client_connected():
    skip_without_tansu()
    tansu = TansuBroker().start()
    host, port = tansu.bootstrap_servers.split(":")
    assert host == "127.0.0.1" and accepts_connections(host, int(port))
    pid = tansu.pid
    client = socket.create_connection((host, int(port)))  # SIGTERM would wait ~5 s for it
    started = time.monotonic()
    tansu.stop()
    client.close()
    assert time.monotonic() - started < 3
    assert tansu.pid is None and process_gone(pid)
    assert not accepts_connections(host, int(port))


def test_a_taken_port_is_named():
    skip_without_tansu()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(TansuError, match=f"port {port} on 127.0.0.1 is already in use"):
            TansuBroker(port).start()


def test_broker_command_prints_the_address_serves_kafka_and_stops_on_ctrl_c():
    skip_without_tansu()
    port = free_port()
    command = subprocess.Popen(
        [sys.executable, "-m", "ls_workbench.cli", "broker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        lines = [command.stdout.readline() for _ in range(2)]
        assert f"bootstrap.servers: 127.0.0.1:{port}\n" in lines, lines

        async def use() -> bool:
            broker = kafka_broker(f"127.0.0.1:{port}")
            await broker.start()
            await broker.create_topic(TopicSpec("hello"))
            exists = await broker.topic_exists("hello")
            await broker.close()
            return exists

        assert asyncio.run(use())
        command.send_signal(signal.SIGINT)
        assert command.wait(timeout=15) == 0
        assert not accepts_connections("127.0.0.1", port)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
