"""WebSocket keepalive (LangStream issue 351): pings keep idle sessions open, close dead ones."""

from __future__ import annotations

import asyncio
import base64
import os

from tornado.websocket import websocket_connect

WAIT = 10.0


async def test_idle_session_receives_pings_and_stays_open(serve):
    served = await serve("gateway-chat", ping_interval=0.1, ping_timeout=0.1)
    pings: list[bytes] = []

    connection = await websocket_connect(served.ws("consume", "consume-plain"))
    connection.on_ping = pings.append  # tornado's client answers each ping with a pong
    try:
        async with asyncio.timeout(WAIT):
            while len(pings) < 5:
                await asyncio.sleep(0.05)
        await served.runtime.send("plain", "after a while")
        message = await asyncio.wait_for(connection.read_message(), WAIT)
    finally:
        connection.close()

    assert len(pings) >= 5
    assert message is not None and "after a while" in message


async def test_peer_that_never_answers_pings_is_closed(serve):
    served = await serve("gateway-chat", ping_interval=0.1, ping_timeout=0.1)
    port = served.server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /v1/chat/my-tenant/my-app/chat?param:session-id=gone HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    status_line = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert b"101" in status_line
    try:
        # never answer the pings: the gateway must notice and send a close frame
        opcodes = []
        while 0x8 not in opcodes:
            head = await asyncio.wait_for(reader.readexactly(2), WAIT)
            opcodes.append(head[0] & 0x0F)
            await reader.readexactly(head[1] & 0x7F)  # server frames: unmasked, short
    finally:
        writer.close()
    events = await served.runtime.collect("events", count=2, timeout=WAIT)

    assert opcodes[0] == 0x9  # a ping came first

    assert [e.value().split('"type":"')[1].split('"')[0] for e in events] == [
        "ClientConnected",
        "ClientDisconnected",
    ]
    assert not served.server.sessions
