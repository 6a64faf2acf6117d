"""The gateway on a Kafka-protocol broker (tansu): in process, and as `python -m kernel_runtime
gateway`, the way a gateway pod runs beside the agents' pods."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys

from websockets.asyncio.client import connect

from tests.conftest import APPS, PROJECT_ROOT
from tests.gateway.conftest import curl, stop

WAIT = 60.0


async def test_chat_round_trip_on_kafka(serve, make_broker):
    served = await serve("gateway-chat", broker=await make_broker("kafka"))

    async with connect(served.ws("chat", "chat", "?param:session-id=k1")) as socket:
        await socket.send(json.dumps({"value": "hello kafka"}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
        answer = json.loads(await asyncio.wait_for(socket.recv(), WAIT))

    assert ack["status"] == "OK"
    assert answer["record"]["value"] == "you said: hello kafka"
    assert answer["record"]["headers"] == {"session-id": "k1"}


async def test_standalone_gateway_produces_to_kafka(tansu, make_broker, tmp_path):
    instance = tmp_path / "instance.yaml"
    instance.write_text(
        "instance:\n  streamingCluster:\n    type: kafka\n    configuration:\n      admin:\n"
        f"        bootstrap.servers: {tansu.bootstrap_servers}\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kernel_runtime",
        "gateway",
        str(APPS / "gateway-chat"),
        "-i",
        str(instance),
        "--tenant",
        "t",
        "--app-id",
        "a",
        "--port",
        "0",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = ""
        async with asyncio.timeout(WAIT):
            while "produce-plain" not in line:
                line = (await process.stdout.readline()).decode()
                assert line, (await process.stderr.read()).decode()
        url = re.search(r"http://\S+/api/gateways/produce/t/a/produce-plain", line).group(0)

        result = await curl("-X", "POST", "-d", "via the gateway pod", url)

        assert result.status == 200, result.body
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    finally:
        await stop(process)
    from kernel_runtime.brokers.kafka import KafkaBroker

    reader = KafkaBroker(tansu.bootstrap_servers)
    await reader.start()
    try:
        consumer = reader.consumer(["plain"], None, position="earliest")
        records = []
        async with asyncio.timeout(WAIT):
            while not records:
                records = await consumer.poll(10, 1.0)
        await consumer.close()
    finally:
        await reader.close()
    assert records[0].value() in ("via the gateway pod", b"via the gateway pod")
