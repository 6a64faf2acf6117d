"""Consume over HTTP as Server-Sent Events, read with curl."""

from __future__ import annotations

import asyncio
import json

from tests.gateway.conftest import CURL, stop


def events(stream: str) -> list[dict]:
    found = []
    for block in stream.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            found.append({"id": fields.get("id"), "data": json.loads(fields["data"])})
    return found


async def read_stream(url: str, count: int, *headers: str) -> list[dict]:
    """curl -N until `count` events arrived (or 10 s), then stop it."""
    process = await asyncio.create_subprocess_exec(
        CURL, "-sN", *headers, url, stdout=asyncio.subprocess.PIPE
    )
    received = ""
    try:
        async with asyncio.timeout(10):
            while len(events(received)) < count:
                chunk = await process.stdout.read(4096)
                if not chunk:
                    break
                received += chunk.decode()
    finally:
        await stop(process)
    return events(received)[:count]


async def test_sse_streams_records_with_offsets_and_resumes_with_last_event_id(serve):
    served = await serve("gateway-chat")
    for i in range(3):
        await served.runtime.send("plain", f"v{i}", key="same-partition")
    url = served.http("consume", "consume-plain", "?option:position=earliest")

    first = await read_stream(url, 2)
    resumed = await read_stream(url, 1, "-H", f"Last-Event-ID: {first[1]['id']}")

    assert [e["data"]["record"]["value"] for e in first] == ["v0", "v1"]
    assert all(e["id"] == e["data"]["offset"] for e in first)
    assert [e["data"]["record"]["value"] for e in resumed] == ["v2"]


async def test_sse_applies_filters_and_parameters(serve):
    served = await serve("gateway-chat")
    await served.runtime.send("answers", "for b", headers={"langstream-client-session-id": "b"})
    await served.runtime.send("answers", "for a", headers={"langstream-client-session-id": "a"})
    url = served.http("consume", "consume-session", "?param:sessionId=a&option:position=earliest")

    [only] = await read_stream(url, 1)

    assert only["data"]["record"]["value"] == "for a"


async def test_sse_keepalive_comments_on_idle_streams(serve):
    served = await serve("gateway-chat", sse_keepalive=0.2)
    process = await asyncio.create_subprocess_exec(
        CURL, "-sN", served.http("consume", "consume-plain"), stdout=asyncio.subprocess.PIPE
    )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 10)
    finally:
        await stop(process)

    assert line == b": keepalive\n"
