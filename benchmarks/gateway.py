"""Gateway throughput and latency, each against a baseline measured in the same run.

1. HTTP produce requests/s through the gateway, against a bare Tornado handler that parses the
   same JSON and writes to the same broker (target ratio >= 0.7).
2. WebSocket produce messages/s, acknowledged (target >= 10,000/s).
3. Service gateway round trip through one Python processor on the embedded broker, p50/p99
   (targets p50 < 2 ms, p99 < 10 ms), against a produce-only round trip as the floor.

The servers run in this process on 127.0.0.1; the load comes from a client in a second process
(this script with `client-*` arguments), bounded in time or count. Besides wall-clock rates, the
server process's CPU time per request is printed: on a busy machine it says what one free core
would sustain.

    python benchmarks/gateway.py [--seconds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

sys.path.insert(0, str(Path(__file__).parent.parent))

from kernel_runtime.gateway import GatewayOptions, GatewayServer  # noqa: E402
from kernel_runtime.headless import load_for_run  # noqa: E402
from kernel_runtime.records import StreamRecord  # noqa: E402
from kernel_runtime.runtime import ApplicationRuntime  # noqa: E402

APP_DIR = Path(__file__).parent / "apps" / "gateway-bench"
BODY = json.dumps({"key": "k", "value": {"question": "how fast?"}, "headers": {"h": "v"}})


# -- the baseline: a bare Tornado handler writing to the same broker ---------------------------
class BareProduce(RequestHandler):
    def initialize(self, producer) -> None:
        self.producer = producer

    async def post(self) -> None:
        data = json.loads(self.request.body)
        value = data.get("value")
        if isinstance(value, dict):
            value = json.dumps(value, separators=(",", ":"))
        headers = list((data.get("headers") or {}).items())
        await self.producer.send("bench-produce", StreamRecord(value, data.get("key"), headers))
        self.set_header("Content-Type", "application/json")
        self.finish('{"status":"OK","reason":null}')


def start_bare(producer) -> tuple[HTTPServer, int]:
    sockets = bind_sockets(0, "127.0.0.1")
    server = HTTPServer(Application([(r"/produce", BareProduce, {"producer": producer})]))
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


# -- clients (second process) ----------------------------------------------------------------
async def _http_request(reader, writer, request: bytes) -> int:
    writer.write(request)
    return await _http_response(reader)


async def _http_response(reader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status


def _request_bytes(url: str, body: str) -> tuple[str, int, bytes]:
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, port = hostport.split(":")
    encoded = body.encode()
    request = (
        f"POST /{path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(encoded)}\r\n\r\n"
    ).encode() + encoded
    return host, int(port), request


async def client_http(url: str, seconds: float, connections: int, depth: int = 8) -> dict:
    """Keep-alive connections, each with `depth` pipelined requests in flight (as `wrk` can),
    so one client process can outrun one server process."""
    host, port, request = _request_bytes(url, BODY)
    counts: list[int] = []
    failures = 0

    async def one() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        done = 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            writer.write(request * depth)
            for _ in range(depth):
                if await _http_response(reader) != 200:
                    failures += 1
            done += depth
        counts.append(done)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    return {"requests": sum(counts), "seconds": time.perf_counter() - started, "failures": failures}


def _masked_text_frame(payload: bytes) -> bytes:
    """A client text frame; a zero masking key leaves the payload as is (and is valid)."""
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


async def client_ws(url: str, seconds: float, window: int) -> dict:
    """A lean WebSocket client: frames written in bursts, acks parsed straight off the stream."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, port = hostport.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 101 " in head, head
    frame = _masked_text_frame(json.dumps({"value": "hello", "key": "k"}).encode())
    burst = 100
    acked = sent = failures = 0
    started = time.perf_counter()
    stop = started + seconds
    while True:
        while sent - acked + burst <= window and time.perf_counter() < stop:
            writer.write(frame * burst)
            sent += burst
        if acked >= sent:
            break
        head = await reader.readexactly(2)
        payload = await reader.readexactly(head[1] & 0x7F)
        failures += b'"OK"' not in payload
        acked += 1
    elapsed = time.perf_counter() - started
    writer.close()
    return {"messages": acked, "seconds": elapsed, "failures": failures}


async def client_latency(url: str, count: int) -> dict:
    host, port, _ = _request_bytes(url, "")
    reader, writer = await asyncio.open_connection(host, port)
    latencies = []
    for i in range(count + 200):
        _, _, request = _request_bytes(url, json.dumps({"value": f"q{i}"}))
        started = time.perf_counter()
        status = await _http_request(reader, writer, request)
        if i >= 200:  # warm-up excluded
            latencies.append(time.perf_counter() - started)
        assert status == 200, status
    writer.close()
    return {"latencies": latencies}


def run_client(*args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, timeout=300
    )
    if output.returncode != 0:
        raise RuntimeError(output.stderr)
    return json.loads(output.stdout)


# -- the measurements --------------------------------------------------------------------------
async def main(seconds: float, connections: int, latency_count: int) -> None:
    runtime = ApplicationRuntime(load_for_run(APP_DIR))
    await runtime.start()
    gateway = GatewayServer(GatewayOptions(port=0))
    gateway.serve(runtime.app, runtime.broker, tenant="bench", application_id="app")
    await gateway.start()
    bare, bare_port = start_bare(runtime.broker.producer())
    loop = asyncio.get_running_loop()

    async def measure(*args: str) -> tuple[dict, float]:
        """The client's result, and the CPU seconds this (server) process spent meanwhile."""
        cpu = time.process_time()
        result = await loop.run_in_executor(None, run_client, *args)
        return result, time.process_time() - cpu

    produce_url = f"{gateway.base_url}/api/gateways/produce/bench/app/produce"
    bare_url = f"http://127.0.0.1:{bare_port}/produce"
    rates: dict[str, list[float]] = {"bare": [], "gateway": []}
    cpu_per_request: dict[str, list[float]] = {"bare": [], "gateway": []}
    for _ in range(2):  # interleaved, to even out machine noise
        for name, url in (("bare", bare_url), ("gateway", produce_url)):
            result, cpu = await measure("client-http", url, str(seconds), str(connections))
            assert result["failures"] == 0, result
            rates[name].append(result["requests"] / result["seconds"])
            cpu_per_request[name].append(cpu / result["requests"])
    bare_rate, gateway_rate = max(rates["bare"]), max(rates["gateway"])
    bare_cpu, gateway_cpu = min(cpu_per_request["bare"]), min(cpu_per_request["gateway"])
    print(
        f"HTTP produce, {connections} keep-alive connections x 8 pipelined, {seconds:g}s runs "
        "(best of 2):"
    )
    print(
        f"  bare Tornado handler : {bare_rate:10,.0f} requests/s   {bare_cpu * 1e6:6.0f} us CPU each"
    )
    print(
        f"  gateway              : {gateway_rate:10,.0f} requests/s   "
        f"{gateway_cpu * 1e6:6.0f} us CPU each"
    )
    print(
        f"  ratio                : {gateway_rate / bare_rate:10.2f} (wall)   "
        f"{bare_cpu / gateway_cpu:.2f} (server CPU)   (target >= 0.7)"
    )

    ws_url = "ws" + gateway.base_url[4:] + "/v1/produce/bench/app/produce"
    result, cpu = await measure("client-ws", ws_url, str(seconds), "2000")
    assert result["failures"] == 0, result
    ws_rate = result["messages"] / result["seconds"]
    print("WebSocket produce, one connection, up to 2000 messages unacknowledged:")
    print(f"  gateway              : {ws_rate:10,.0f} messages/s acknowledged   (target >= 10,000)")
    print(
        f"  server CPU           : {cpu / result['messages'] * 1e6:10.0f} us per message "
        f"(= {result['messages'] / cpu:,.0f} messages/s on one free core)"
    )

    service_url = f"{gateway.base_url}/api/gateways/service/bench/app/service"
    result, _ = await measure("client-latency", service_url, str(latency_count))
    floor, _ = await measure("client-latency", produce_url, str(latency_count))
    for name, data in (("service round trip", result), ("produce only (floor)", floor)):
        latencies = sorted(data["latencies"])
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"{name}, {len(latencies)} sequential requests:")
        print(f"  p50 {p50:6.2f} ms   p99 {p99:6.2f} ms", end="")
        print("   (targets p50 < 2 ms, p99 < 10 ms)" if name.startswith("service") else "")

    bare.stop()
    await gateway.stop()
    await runtime.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("client-"):
        kind, *rest = sys.argv[1:]
        if kind == "client-http":
            out = asyncio.run(client_http(rest[0], float(rest[1]), int(rest[2])))
        elif kind == "client-ws":
            out = asyncio.run(client_ws(rest[0], float(rest[1]), int(rest[2])))
        else:
            out = asyncio.run(client_latency(rest[0], int(rest[1])))
        print(json.dumps(out))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--latency-requests", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.connections, args.latency_requests))
