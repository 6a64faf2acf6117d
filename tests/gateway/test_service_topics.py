"""Service gateways over topics: request/answer through a pipeline, concurrency, timeout."""

from __future__ import annotations

import asyncio

from tests.gateway.conftest import APP_ID, TENANT, curl

APP = "gateway-release-notes"
JSON = ("-H", "Content-Type: application/json")


async def test_release_notes_service_command_answers_with_the_pipeline_result(serve):
    served = await serve(APP)

    result = await curl(
        "-X", "POST", "-d", '{"value": "hello"}', *JSON, served.http("service", "user-input-await")
    )

    assert result.status == 200, result.body
    answer = result.json()
    assert answer["record"]["value"] == "answer to hello"
    assert answer["record"]["headers"]["langstream-service-request-id"]
    assert answer["offset"]


async def test_each_concurrent_request_gets_its_own_answer(serve):
    served = await serve(APP)
    url = served.http("service", "user-input-await")

    results = await asyncio.gather(
        *(
            curl("-X", "POST", "-d", f'{{"key": "k{i}", "value": "q{i}"}}', *JSON, url)
            for i in range(12)
        )
    )

    assert [r.status for r in results] == [200] * 12
    assert [r.json()["record"]["value"] for r in results] == [f"answer to q{i}" for i in range(12)]
    assert [r.json()["record"]["key"] for r in results] == [f"k{i}" for i in range(12)]


async def test_text_body_and_request_headers_reach_the_pipeline(serve):
    served = await serve(APP)
    url = served.http("service", "user-input-await")

    text = await curl("-X", "POST", "-H", "Content-Type: text/plain", "-d", "plain", url)
    with_headers = await curl(
        "-X", "POST", "-d", '{"value": "v", "headers": {"h1": "x"}}', *JSON, url
    )

    assert text.json()["record"]["value"] == "answer to plain"
    assert with_headers.json()["record"]["headers"]["h1"] == "x"


async def test_no_answer_in_time_is_504_with_json_reason(serve):
    served = await serve(APP, pipeline=False, service_timeout=0.3)  # nobody answers

    result = await curl(
        "-X", "POST", "-d", '{"value": "hello"}', *JSON, served.http("service", "user-input-await")
    )
    longer = await curl(
        "-X",
        "POST",
        "-d",
        '{"value": "hello"}',
        *JSON,
        served.http("service", "user-input-await", "?option:timeout=0.6"),
    )

    assert result.status == 504
    assert "no answer on topic results within 0.3s" in result.json()["reason"]
    assert "option:timeout" in result.json()["reason"]
    assert longer.status == 504
    assert "within 0.6s" in longer.json()["reason"]


async def test_only_post_and_valid_timeouts(serve):
    served = await serve(APP)
    url = served.http("service", "user-input-await")

    get = await curl(url)
    bad_timeout = await curl(
        "-X", "POST", "-d", "x", served.http("service", "user-input-await", "?option:timeout=never")
    )

    assert get.status == 400 and "Only POST" in get.json()["reason"]
    assert bad_timeout.status == 400 and "option:timeout='never'" in bad_timeout.json()["reason"]


async def test_a_client_that_goes_away_stops_its_wait_at_once(serve):
    served = await serve(APP, pipeline=False, service_timeout=60)  # nobody answers
    url = served.http("service", "user-input-await")

    gone = await curl("-m", "0.5", "-X", "POST", "-d", '{"value": "hello"}', *JSON, url)

    assert gone.status == 0  # curl gave up (its exit, no HTTP status)
    router = served.server.registry.apps[(TENANT, APP_ID)].routers["results"]
    for _ in range(100):
        if not router.waiters:
            break
        await asyncio.sleep(0.02)
    assert router.waiters == {}  # forgotten now, not 60 s later
    still = await curl("-X", "POST", "-d", '{"value": "again"}', *JSON, url + "?option:timeout=0.2")
    assert still.status == 504  # the gateway goes on serving
