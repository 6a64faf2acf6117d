"""Service gateways proxying to a python-service agent (LangStream 0.4's release notes)."""

from __future__ import annotations

import asyncio
import hashlib
import socket

import pytest

from tests.gateway.conftest import CURL, curl, stop

APP = "gateway-service-agent"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def served(serve, tmp_path):
    instance = tmp_path / "instance.yaml"
    instance.write_text(f"instance:\n  globals:\n    chatbot-port: {free_port()}\n")
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("secrets:\n  - id: google\n    data:\n      client-id: my-client-id\n")
    return await serve(APP, instance=instance, secrets=secrets, test_mode=True)


async def wait_listening(served) -> None:
    """The service agent's main() starts its server in a thread: wait until it answers."""
    url = served.http("service", "open-service", "/ready")
    for _ in range(200):
        if (await curl(url)).status == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the service agent never answered")


async def test_release_notes_proxy_sets_user_and_session_headers(served):
    await wait_listening(served)
    url = served.http(
        "service",
        "my-service",
        "/the/custom/path?service-param-1=yes&param:sessionId=s-42&test-credentials=alice",
    )

    result = await curl(
        "-X",
        "POST",
        "-d",
        '{"value": "hello"}',
        "-H",
        "Content-Type: application/json",
        "-H",
        "Authorization: Bearer XXX",
        "-H",
        "langstream-client-user-id: mallory",  # a client cannot claim another user
        url,
    )

    assert result.status == 200, result.body
    seen = result.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/the/custom/path"
    assert seen["query"] == "service-param-1=yes"
    assert seen["body"] == '{"value": "hello"}'
    assert seen["headers"]["authorization"] == "Bearer XXX"
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["langstream-client-session-id"] == "s-42"
    assert seen["headers"]["langstream-client-user-id"] == hashlib.sha256(b"alice").hexdigest()
    assert "x-chatbot: yes" in result.headers.lower()


async def test_proxy_requires_authentication(served):
    await wait_listening(served)

    result = await curl(served.http("service", "my-service", "/x?param:sessionId=s"))

    assert result.status == 401
    assert result.json()["reason"] == "Credentials not provided."


async def test_methods_and_status_pass_through(served):
    await wait_listening(served)
    url = served.http("service", "open-service", "/item/7")

    put = await curl("-X", "PUT", "-d", "new", url)
    delete = await curl("-X", "DELETE", url)
    get = await curl(url + "?a=1&b=two%20words")
    encoded = await curl(served.http("service", "open-service", "/files/a%2Fb"))

    assert (put.status, put.json()["method"], put.json()["body"]) == (201, "PUT", "new")
    assert (delete.status, delete.json()["method"]) == (200, "DELETE")
    assert get.json()["query"] == "a=1&b=two%20words"
    assert encoded.json()["path"] == "/files/a%2Fb"  # forwarded as sent


async def test_streaming_answers_reach_the_client_as_they_are_written(served):
    await wait_listening(served)
    stream = await asyncio.create_subprocess_exec(
        CURL,
        "-sN",
        served.http("service", "open-service", "/stream"),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        first = await asyncio.wait_for(stream.stdout.readline(), 10)
        # the agent sends its last chunk only after this second request
        await curl(served.http("service", "open-service", "/release"))
        last = await asyncio.wait_for(stream.stdout.readline(), 10)
    finally:
        await stop(stream)

    assert (first, last) == (b"first\n", b"last\n")


async def test_slow_agent_is_504_with_json_reason(served):
    await wait_listening(served)

    result = await curl(served.http("service", "open-service", "/slow?delay=1&option:timeout=0.2"))

    assert result.status == 504
    assert "did not answer within 0.2s" in result.json()["reason"]


async def test_agent_not_listening_is_502(serve, tmp_path):
    instance = tmp_path / "instance.yaml"
    instance.write_text(f"instance:\n  globals:\n    chatbot-port: {free_port()}\n")
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("secrets:\n  - id: google\n    data:\n      client-id: c\n")
    served = await serve(APP, instance=instance, secrets=secrets, pipeline=False)

    result = await curl(served.http("service", "open-service", "/anything"))

    assert result.status == 502
    assert "service agent my-service-agent at 127.0.0.1:" in result.json()["reason"]
    assert "is it running" in result.json()["reason"]
