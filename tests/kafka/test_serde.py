"""Bytes on Kafka as LangStream's serializers write them, and text as its deserializer reads it."""

from __future__ import annotations

import json
import struct

import pytest

from kernel_runtime.brokers.kafka_serde import (
    SerializationError,
    decode,
    decode_headers,
    encode,
    encode_headers,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("héllo", "héllo".encode()),  # StringSerializer: UTF-8
        (b"\x00\xff", b"\x00\xff"),  # ByteArraySerializer: as is
        (True, b"\x01"),  # BooleanSerializer
        (False, b"\x00"),
        (5, struct.pack(">q", 5)),  # gRPC long_value -> LongSerializer: 8 bytes big-endian
        (-2, b"\xff" * 7 + b"\xfe"),
        (1.5, struct.pack(">d", 1.5)),  # gRPC double_value -> DoubleSerializer
        ({"a": [1, "x"]}, json.dumps({"a": [1, "x"]}).encode()),  # json_value -> String
        ([1, 2], b"[1, 2]"),
        (None, None),
    ],
)
def test_values_are_written_as_langstream_writes_them(value, expected):
    assert encode(value) == expected


def test_bool_is_not_written_as_an_int():
    assert len(encode(True)) == 1 and len(encode(1)) == 8


def test_unsupported_types_and_too_big_ints_are_named():
    with pytest.raises(SerializationError, match="value of type set cannot be written"):
        encode({1, 2})
    with pytest.raises(SerializationError, match="key 18446744073709551616 does not fit in 64"):
        encode(2**64, "key")
    with pytest.raises(SerializationError, match="header 'h' is not JSON-serialisable"):
        encode_headers([("h", {"x": object()})])


def test_reads_utf8_as_text_and_other_bytes_as_bytes():
    assert decode("héllo".encode()) == "héllo"
    assert decode(b"\xff\xfe") == b"\xff\xfe"
    assert decode(None) is None
    assert decode(b"") == ""


def test_headers_round_trip_text_and_keep_binary():
    written = encode_headers([("session", "s1"), ("raw", b"\xff"), ("n", 3), ("none", None)])
    assert written == [
        ("session", b"s1"),
        ("raw", b"\xff"),
        ("n", struct.pack(">q", 3)),
        ("none", None),
    ]
    assert decode_headers(written)[:2] == [("session", "s1"), ("raw", b"\xff")]
    assert decode_headers(written)[3] == ("none", None)
