"""HTTP produce with curl: LangStream 0.4's release-notes commands, content types, errors."""

from __future__ import annotations

from tests.gateway.conftest import curl

APP = "gateway-release-notes"
JSON = ("-H", "Content-Type: application/json")


async def test_release_notes_produce_with_unquoted_key_is_400_with_position(serve):
    served = await serve(APP)
    url = served.http("produce", "user-input", "?param:sessionId=12543yusi1")
    notes_command = '{"value": {"question": "hello"}, "key": "k1", headers: {"h1": "v1"}}'

    result = await curl("-X", "POST", "-d", notes_command, *JSON, url)

    assert result.status == 400
    reason = result.json()["reason"]
    assert "line 1, column 47" in reason
    assert "need double quotes" in reason and '"headers"' in reason
    assert await served.runtime.collect("questions-topic", timeout=0.2) == []


async def test_release_notes_produce_corrected_writes_key_value_and_header(serve):
    served = await serve(APP)
    url = served.http("produce", "user-input", "?param:sessionId=12543yusi1")
    corrected = '{"value": {"question": "hello"}, "key": "k1", "headers": {"h1": "v1"}}'

    result = await curl("-X", "POST", "-d", corrected, *JSON, url)

    assert (result.status, result.json()) == (200, {"status": "OK", "reason": None})
    [record] = await served.runtime.collect("questions-topic", count=1)
    assert record.key() == "k1"
    assert record.value() == '{"question":"hello"}'  # JSON text, as LangStream's Kafka producer
    assert record.header("h1") == "v1"


async def test_plain_text_body_is_the_value(serve):
    served = await serve(APP)
    url = served.http("produce", "user-input", "?param:sessionId=s1")

    plain = await curl("-X", "POST", "-d", "Hello", url)  # curl's default form content type
    text = await curl("-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", "Hi\n", url)

    assert (plain.status, text.status) == (200, 200)
    records = await served.runtime.collect("questions-topic", count=2)
    assert [r.value() for r in records] == ["Hello", "Hi\n"]


async def test_unsupported_content_type_is_400(serve):
    served = await serve(APP)
    url = served.http("produce", "user-input", "?param:sessionId=s1")

    result = await curl("-X", "POST", "-H", "Content-Type: application/xml", "-d", "<a/>", url)

    assert result.status == 400
    assert "Unsupported content type: application/xml" in result.json()["reason"]


async def test_missing_blank_and_unknown_parameters_are_400_naming_them(serve):
    served = await serve(APP)
    body = ("-X", "POST", "-d", '{"value": "v"}', *JSON)

    missing = await curl(*body, served.http("produce", "user-input"))
    blank = await curl(*body, served.http("produce", "user-input", "?param:sessionId="))
    unknown = await curl(
        *body, served.http("produce", "user-input", "?param:sessionId=1&param:other=2")
    )
    bare = await curl(*body, served.http("produce", "user-input", "?sessionId=1"))

    assert [r.status for r in (missing, blank, unknown, bare)] == [400, 400, 400, 400]
    assert "missing required parameter sessionId" in missing.json()["reason"]
    assert "missing required parameter sessionId" in blank.json()["reason"]
    assert "unknown parameters: [other]" in unknown.json()["reason"]
    assert "invalid query parameter sessionId" in bare.json()["reason"]
    assert "param:<parameter_name>" in bare.json()["reason"]


async def test_unknown_tenant_application_or_gateway_is_404(serve):
    served = await serve(APP)
    base = served.server.base_url + "/api/gateways/produce"
    body = ("-X", "POST", "-d", "x")

    results = [
        await curl(*body, f"{base}/other-tenant/my-app/user-input"),
        await curl(*body, f"{base}/my-tenant/other-app/user-input"),
        await curl(*body, f"{base}/my-tenant/my-app/nope"),
        await curl(*body, f"{base}/my-tenant/my-app/questions"),  # a consume gateway
    ]

    assert [r.status for r in results] == [404, 404, 404, 404]
    assert "application my-app not found for tenant other-tenant" in results[0].json()["reason"]
    assert "gateway nope of type produce is not defined" in results[2].json()["reason"]
    assert "has type consume" in results[3].json()["reason"]


async def test_body_over_the_limit_is_413_declared_or_chunked(serve):
    served = await serve(APP, max_message_bytes=1000)
    url = served.http("produce", "user-input", "?param:sessionId=s1")
    big = "x" * 5000

    declared = await curl("-X", "POST", "-d", big, url)
    chunked = await curl("-X", "POST", "-H", "Transfer-Encoding: chunked", "-d", big, url)
    fits = await curl("-X", "POST", "-d", "x" * 900, url)

    assert (declared.status, chunked.status, fits.status) == (413, 413, 200)
    assert "over the gateway's limit of 1000 bytes" in declared.json()["reason"]
    assert [r.value() for r in await served.runtime.collect("questions-topic", count=1)] == [
        "x" * 900
    ]


async def test_request_without_key_or_value_and_unknown_fields_are_400(serve):
    served = await serve(APP)
    url = served.http("produce", "user-input", "?param:sessionId=s1")

    empty = await curl("-X", "POST", "-d", '{"headers": {"h": "v"}}', *JSON, url)
    unknown = await curl("-X", "POST", "-d", '{"value": "v", "vaule": 1}', *JSON, url)
    not_object = await curl("-X", "POST", "-d", '"just text"', *JSON, url)

    assert [r.status for r in (empty, unknown, not_object)] == [400, 400, 400]
    assert "Either key or value must be set." in empty.json()["reason"]
    assert "unknown field(s) 'vaule'" in unknown.json()["reason"]
    assert "text/plain" in not_object.json()["reason"]


async def test_unknown_endpoint_is_a_json_404_listing_the_endpoints(serve):
    served = await serve(APP, pipeline=False)

    result = await curl(served.server.base_url + "/v2/produce/my-tenant/my-app/user-input")

    assert result.status == 404
    assert "/api/gateways/produce|consume|service" in result.json()["reason"]
