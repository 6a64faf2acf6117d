"""The protocol's JSON shapes and value conversions, without a server."""

from __future__ import annotations

import json

import pytest

from kernel_runtime.gateway.auth.testmode import java_string_hash, principal_for_test_credentials
from kernel_runtime.gateway.messages import (
    ProduceError,
    as_text,
    decode_offset,
    encode_offset,
    parse_produce_request,
    produce_response,
    push_message,
)
from kernel_runtime.records import StreamRecord


def test_produce_request_values_and_headers_as_langstream_reads_them():
    request = parse_produce_request(
        '{"key": {"id": 1}, "value": [1, 2], "headers": {"n": 3, "b": true, "s": "x", "z": null}}'
    )

    assert request.key == '{"id":1}'
    assert request.value == "[1,2]"
    assert request.headers == {"n": "3", "b": "true", "s": "x", "z": None}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ('{"value": 1,}', "Expecting property name enclosed in double quotes at line 1, column 13"),
        ("{'value': 1}", 'keys need double quotes, e.g. "value"'),
        ('{"value": "a"\n "key": 1}', "Expecting ',' delimiter at line 2, column 2"),
        ('{"headers": {"h": {"nested": 1}}}', "header 'h' must be a string"),
        ('{"headers": ["h"]}', "headers must be an object"),
        (b'{"value": "\xff"}', "not UTF-8 at byte 11"),
    ],
)
def test_bad_requests_say_what_and_where(payload, expected):
    with pytest.raises(ProduceError) as error:
        parse_produce_request(payload)

    assert error.value.status == "BAD_REQUEST"
    assert expected in str(error.value)


def test_push_message_renders_everything_as_text():
    record = StreamRecord(
        {"answer": 42}, b"key-bytes", [("h", 1), ("h", "last wins"), ("b", b"\x00ok")]
    )

    message = json.loads(push_message(record, "tok"))

    assert message == {
        "record": {
            "key": "key-bytes",
            "value": '{"answer":42}',
            "headers": {"h": "last wins", "b": "\x00ok"},
        },
        "offset": "tok",
    }
    assert as_text(None) is None and as_text(1.5) == "1.5" and as_text(False) == "false"


def test_produce_response_shapes():
    assert produce_response() == '{"status":"OK","reason":null}'
    assert json.loads(produce_response("PRODUCER_ERROR", "down")) == {
        "status": "PRODUCER_ERROR",
        "reason": "down",
    }


def test_offsets_round_trip_and_plain_numbers():
    assert decode_offset(encode_offset({0: 3, 2: 9})) == {0: 3, 2: 9}
    assert decode_offset("12") == {-1: 12}
    with pytest.raises(ValueError, match="not earliest, latest"):
        decode_offset("bm90IGpzb24=")  # base64 of "not json"


def test_test_mode_principal_matches_langstream():
    principal = principal_for_test_credentials("secret")

    assert java_string_hash("hello") == 99162322  # "hello".hashCode() in Java
    assert java_string_hash("polygenelubricants") == -(2**31)  # Integer.MIN_VALUE in Java
    assert principal["subject"] == principal["login"] == principal["name"]
    assert principal["email"] == principal["subject"] + "@locahost"
    assert principal["id"] == str(java_string_hash(principal["subject"]))


@pytest.mark.parametrize(("size", "header"), [(5, b"\x81\x05"), (300, b"\x81\x7e\x01\x2c")])
def test_text_frames_encode_lengths_as_rfc_6455(size, header):
    from kernel_runtime.gateway.websocket import text_frames

    frames = text_frames(["x" * size, "é"])

    assert frames.startswith(header + b"x" * size)
    assert frames.endswith(b"\x81\x02" + "é".encode())
    big = text_frames(["y" * 70000])
    assert big[:10] == b"\x81\x7f" + (70000).to_bytes(8, "big")
