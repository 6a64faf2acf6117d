"""Keys, values and headers as bytes on Kafka, written and read the way LangStream does.

Writing mirrors LangStream's Kafka runtime for records coming out of a Python agent (the agent's
value crosses LangStream's gRPC bridge, then `KafkaProducerWrapper` picks a serializer by Java
type), so a record written here and the same record written by LangStream are the same bytes:

    str         -> UTF-8                         (StringSerializer)
    bytes       -> as is                         (ByteArraySerializer)
    bool        -> 1 byte, 0x01 / 0x00           (BooleanSerializer)
    int         -> 8 bytes, big-endian signed    (gRPC long_value -> LongSerializer)
    float       -> 8 bytes, IEEE 754 big-endian  (gRPC double_value -> DoubleSerializer)
    dict, list  -> UTF-8 of `json.dumps(value)`  (gRPC json_value -> StringSerializer)
    None        -> null

Reading mirrors LangStream's consumer defaults for topics without a schema (Kafka's
`StringDeserializer`): keys and values come back as `str`. Bytes that are not valid UTF-8 stay
`bytes` instead of being mangled with replacement characters as Java would. Header values are
read the same way, as LangStream's gateways and built-in agents see them (`valueAsString`).

So, as on a LangStream cluster, only `str` and `bytes` round-trip by type: an agent that wrote
`{"a": 1}` is read back as the text `'{"a": 1}'`, and `5` as 8 bytes of text. Agents written for
LangStream already expect this (they `json.loads` their input).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable
from typing import Any

_LONG = struct.Struct(">q")
_DOUBLE = struct.Struct(">d")
_TRUE, _FALSE = b"\x01", b"\x00"


class SerializationError(TypeError):
    """A key, value or header of a type LangStream cannot write to Kafka either."""


def encode(value: Any, what: str = "value") -> bytes | None:
    """The bytes LangStream writes for `value`; `what` names the field in errors."""
    kind = type(value)
    if kind is str:
        return value.encode()
    if value is None:
        return None
    if kind is bytes:
        return value
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is int:
        try:
            return _LONG.pack(value)
        except struct.error:
            raise SerializationError(
                f"{what} {value} does not fit in 64 bits, the widest integer LangStream writes; "
                "write it as a str"
            ) from None
    if kind is float:
        return _DOUBLE.pack(value)
    if isinstance(value, (dict, list)):
        try:
            return json.dumps(value).encode()
        except (TypeError, ValueError) as error:
            raise SerializationError(f"{what} is not JSON-serialisable: {error}") from None
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return str(value).encode()
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, int):
        return encode(int(value), what)
    if isinstance(value, float):
        return _DOUBLE.pack(float(value))
    raise SerializationError(
        f"{what} of type {kind.__name__} cannot be written to Kafka; use str, bytes, int, "
        "float, bool, dict or list (as LangStream's Python runtime)"
    )


def decode(data: bytes | None) -> str | bytes | None:
    """Text when `data` is UTF-8 (LangStream's StringDeserializer), else the bytes."""
    if data is None:
        return None
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data


def encode_headers(headers: Iterable[tuple[str, Any]] | None) -> list[tuple[str, bytes | None]]:
    if not headers:
        return []
    return [(str(name), encode(value, f"header {name!r}")) for name, value in headers]


def decode_headers(headers: Iterable[tuple[str, bytes | None]]) -> list[tuple[str, Any]]:
    return [(name, decode(value)) for name, value in headers]
