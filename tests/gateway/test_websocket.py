"""WebSocket produce, consume and chat with the `websockets` client library."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from kernel_runtime.gateway.messages import encode_offset

APP = "gateway-chat"
WAIT = 10.0  # generous: a loaded 2-core machine


async def receive_json(socket) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), WAIT))


async def test_chat_round_trip_through_a_python_processor(serve):
    served = await serve(APP)

    async with connect(served.ws("chat", "chat", "?param:session-id=s1")) as alice:
        async with connect(served.ws("chat", "chat", "?param:session-id=s2")) as bob:
            await alice.send(json.dumps({"value": "hello"}))
            await bob.send(json.dumps({"value": "hi"}))
            assert await receive_json(alice) == {"status": "OK", "reason": None}
            assert await receive_json(bob) == {"status": "OK", "reason": None}

            alice_answer = await receive_json(alice)
            bob_answer = await receive_json(bob)

    assert alice_answer["record"]["value"] == "you said: hello"
    assert alice_answer["record"]["headers"] == {"session-id": "s1"}
    assert bob_answer["record"]["value"] == "you said: hi"
    assert alice_answer["offset"]


async def test_websocket_paths_as_langstream_docs_write_them_without_v1(serve):
    served = await serve(APP)
    url = served.ws("produce", "produce-plain").replace("/v1/", "/")

    async with connect(url) as socket:
        await socket.send(json.dumps({"value": "v"}))
        assert (await receive_json(socket))["status"] == "OK"


async def test_chat_requires_its_header_parameter(serve):
    served = await serve(APP)

    with pytest.raises(InvalidStatus) as refused:
        async with connect(served.ws("chat", "chat")):
            pass

    assert refused.value.response.status_code == 400
    assert b"missing required parameter session-id" in refused.value.response.body


async def test_produce_acks_in_order_with_errors_in_place(serve):
    served = await serve(APP)
    messages = [{"value": f"m{i}"} for i in range(50)]

    async with connect(served.ws("produce", "produce-plain")) as socket:
        for message in messages[:25]:
            await socket.send(json.dumps(message))
        await socket.send('{"value": oops}')
        for message in messages[25:]:
            await socket.send(json.dumps(message))
        acks = [await receive_json(socket) for _ in range(51)]

    assert [a["status"] for a in acks] == ["OK"] * 25 + ["BAD_REQUEST"] + ["OK"] * 25
    assert "Error while parsing JSON payload" in acks[25]["reason"]
    records = await served.runtime.collect("plain", count=50)
    assert sorted(r.value() for r in records) == sorted(m["value"] for m in messages)


async def test_produce_options_headers_and_consume_filters_by_session(serve):
    served = await serve(APP)
    # consume-session filters answers of its own session; the bot copies the question's headers
    async with connect(served.ws("consume", "consume-session", "?param:sessionId=a")) as mine:
        for session in ("b", "a"):
            async with connect(
                served.ws("produce", "produce-session", f"?param:sessionId={session}")
            ) as producer:
                await producer.send(json.dumps({"value": f"question of {session}"}))
                assert (await receive_json(producer))["status"] == "OK"
        pushed = await receive_json(mine)

    assert pushed["record"]["value"] == "you said: question of a"
    assert pushed["record"]["headers"] == {"langstream-client-session-id": "a"}


async def test_a_message_may_not_override_a_configured_header(serve):
    served = await serve(APP)

    async with connect(served.ws("produce", "produce-session", "?param:sessionId=a")) as socket:
        await socket.send(
            json.dumps({"value": "v", "headers": {"langstream-client-session-id": "b"}})
        )
        ack = await receive_json(socket)

    assert ack == {
        "status": "BAD_REQUEST",
        "reason": "Header langstream-client-session-id is configured as parameter-level header.",
    }


async def test_consume_positions_earliest_latest_and_resume_after_offset(serve):
    served = await serve(APP)
    for i in range(4):
        await served.runtime.send("plain", f"old-{i}", key=f"k{i}")

    async with connect(served.ws("consume", "consume-plain", "?option:position=earliest")) as early:
        old = [await receive_json(early) for _ in range(4)]
    async with connect(served.ws("consume", "consume-plain")) as late:
        await served.runtime.send("plain", "new", key="k0")
        [new] = [await receive_json(late)]
    resume_after_second = old[1]["offset"]
    async with connect(
        served.ws("consume", "consume-plain", f"?option:position={resume_after_second}")
    ) as resumed:
        rest = [await receive_json(resumed) for _ in range(3)]

    assert sorted(m["record"]["value"] for m in old) == [f"old-{i}" for i in range(4)]
    assert new["record"]["value"] == "new"
    already_seen = {m["record"]["value"] for m in old[:2]}
    assert {m["record"]["value"] for m in rest} == {
        "old-0",
        "old-1",
        "old-2",
        "old-3",
        "new",
    } - already_seen


async def test_bad_position_is_refused_at_handshake(serve):
    served = await serve(APP)

    with pytest.raises(InvalidStatus) as refused:
        async with connect(served.ws("consume", "consume-plain", "?option:position=yesterday")):
            pass

    assert refused.value.response.status_code == 400
    assert b"option:position='yesterday'" in refused.value.response.body


async def test_unknown_option_and_unknown_gateway_refuse_the_handshake(serve):
    served = await serve(APP)

    with pytest.raises(InvalidStatus) as unknown_option:
        async with connect(served.ws("consume", "consume-plain", "?option:speed=fast")):
            pass
    with pytest.raises(InvalidStatus) as unknown_gateway:
        async with connect(served.ws("consume", "nope")):
            pass

    assert unknown_option.value.response.status_code == 400
    assert b"Unknown option speed" in unknown_option.value.response.body
    assert unknown_gateway.value.response.status_code == 404


async def test_message_over_the_limit_closes_with_1009(serve):
    served = await serve(APP, max_message_bytes=1000)

    async with connect(served.ws("produce", "produce-plain")) as socket:
        await socket.send(json.dumps({"value": "x" * 2000}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), WAIT)

    assert closed.value.rcvd.code == 1009


async def test_binary_frames_close_with_1003(serve):
    served = await serve(APP)

    async with connect(served.ws("produce", "produce-plain")) as socket:
        await socket.send(b'{"value": "v"}')
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), WAIT)

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        1003,
        "Binary messages not supported",
    )


async def test_redefined_gateway_closes_its_sessions_with_1008(serve):
    served = await serve(APP)
    changed = served.runtime.app.model_copy(deep=True)
    changed.gateways = [g for g in changed.gateways if g.id != "consume-plain"]

    async with connect(served.ws("consume", "consume-plain")) as socket:
        async with connect(served.ws("produce", "produce-plain")) as untouched:
            served.server.serve(
                changed, served.runtime.broker, tenant="my-tenant", application_id="my-app"
            )
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), WAIT)
            await untouched.send(json.dumps({"value": "still open"}))
            assert (await receive_json(untouched))["status"] == "OK"

    assert closed.value.rcvd.code == 1008
    assert "gateway consume-plain was removed" in closed.value.rcvd.reason


async def test_broker_failure_closes_consumers_with_1011(serve):
    served = await serve(APP)

    async with connect(served.ws("consume", "consume-plain")) as socket:
        await served.runtime.broker.close()
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), WAIT)

    assert closed.value.rcvd.code == 1011
    assert "broker closed" in closed.value.rcvd.reason


async def test_client_that_disconnects_loses_nothing_acknowledged(serve):
    served = await serve(APP)
    acknowledged = 0

    socket = await connect(served.ws("produce", "produce-plain"))
    for i in range(200):
        await socket.send(json.dumps({"value": i}))
    while acknowledged < 120:
        acknowledged += (await receive_json(socket))["status"] == "OK"
    socket.transport.abort()  # vanish mid-stream, no close handshake

    records = await served.runtime.collect("plain", count=200, timeout=2)
    assert {r.value() for r in records} >= set(range(acknowledged))


async def test_events_topic_gets_connected_and_disconnected(serve):
    served = await serve(APP)

    async with connect(served.ws("chat", "chat", "?param:session-id=s9")):
        pass
    records = await served.runtime.collect("events", count=2)

    events = [json.loads(r.value()) for r in records]
    assert [e["type"] for e in events] == ["ClientConnected", "ClientDisconnected"]
    assert events[0]["category"] == "Gateway"
    assert events[0]["source"]["tenant"] == "my-tenant"
    assert events[0]["source"]["applicationId"] == "my-app"
    assert events[0]["source"]["gateway"]["id"] == "chat"
    assert events[0]["data"]["userParameters"] == {"session-id": "s9"}


def test_offset_tokens_are_langstream_offset_per_partition():
    import base64

    token = encode_offset({0: 5, 1: 7})

    assert json.loads(base64.b64decode(token)) == {"offsets": {"0": "5", "1": "7"}}
