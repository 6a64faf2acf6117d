"""The JSON shapes of LangStream's gateway protocol, and how values cross it.

- `ProduceRequest {key, value, headers}`: what clients send to produce (WebSocket text frames,
  HTTP bodies with `Content-Type: application/json`). Unknown fields are refused, as Jackson
  does by default; header values are strings (numbers and booleans are coerced, as Jackson does).
- `ProduceResponse {status, reason}`: the acknowledgement, status OK, BAD_REQUEST or
  PRODUCER_ERROR.
- `ConsumePushMessage {record: {key, value, headers}, offset}`: what consumers receive.

Values: a JSON object or array produced through the gateway is written to the topic as compact
JSON text, which is what LangStream's Kafka producer stores and what Python agents read. What
consumers receive is text too (LangStream reads topics with Kafka's StringDeserializer):
strings as they are, bytes decoded as UTF-8, anything else as JSON text.

Offsets: `offset` is base64 of `{"offsets": {"<partition>": "<next offset>"}}`, LangStream's
`OffsetPerPartition`; passing it back as `option:position` resumes right after that record.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from kernel_runtime.records import StreamRecord

ProduceStatus = Literal["OK", "BAD_REQUEST", "PRODUCER_ERROR"]
PRODUCE_FIELDS = ("key", "value", "headers")

_dumps_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_OK = '{"status":"OK","reason":null}'


class ProduceError(Exception):
    """A message the gateway cannot produce; `status` goes into the ProduceResponse."""

    def __init__(self, message: str, status: ProduceStatus = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status: ProduceStatus = status


@dataclass(frozen=True, slots=True)
class ProduceRequest:
    key: Any = None
    value: Any = None
    headers: dict[str, str | None] | None = None


def produce_response(status: ProduceStatus = "OK", reason: str | None = None) -> str:
    if status == "OK" and reason is None:
        return _OK
    return _dumps_compact({"status": status, "reason": reason})


def parse_produce_request(payload: str | bytes) -> ProduceRequest:
    """Parse a ProduceRequest; a ProduceError(BAD_REQUEST) says what is wrong and where."""
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProduceError(
                f"Error while parsing JSON payload: not UTF-8 at byte {error.start}"
            ) from None
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as error:
        raise ProduceError(
            f"Error while parsing JSON payload: {describe_json_error(error)}"
        ) from None
    if not isinstance(data, dict):
        raise ProduceError(
            "Error while parsing JSON payload: expected an object like "
            f'{{"key": ..., "value": ..., "headers": {{...}}}}, got {type(data).__name__} '
            "(to send plain text, use Content-Type: text/plain)"
        )
    unknown = [name for name in data if name not in PRODUCE_FIELDS]
    if unknown:
        raise ProduceError(
            f"Error while parsing JSON payload: unknown field(s) {', '.join(map(repr, unknown))}; "
            "a produce request has only key, value and headers"
        )
    return ProduceRequest(
        record_value(data.get("key")),
        record_value(data.get("value")),
        _headers(data.get("headers")),
    )


def describe_json_error(error: json.JSONDecodeError) -> str:
    """Python's message, the line/column, what is there, and a hint for unquoted keys."""
    text = error.doc
    near = text[error.pos : error.pos + 20]
    message = (
        f"{error.msg} at line {error.lineno}, column {error.colno} (character {error.pos}), "
        f"near {near!r}"
    )
    if error.msg.startswith("Expecting property name"):
        word = re.match(r"\s*'?([A-Za-z_$][\w$-]*)", near)
        example = f'"{word.group(1)}"' if word else '"key"'
        message += f"; JSON object keys need double quotes, e.g. {example}"
    return message


def _headers(raw: Any) -> dict[str, str | None] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProduceError(
            "Error while parsing JSON payload: headers must be an object of string values, "
            f'e.g. {{"h1": "v1"}}, got {type(raw).__name__}'
        )
    headers: dict[str, str | None] = {}
    for name, value in raw.items():
        if isinstance(value, (dict, list)):
            raise ProduceError(
                f"Error while parsing JSON payload: header {name!r} must be a string, "
                f"got {type(value).__name__}"
            )
        headers[name] = as_text(value)
    return headers


def record_value(value: Any) -> Any:
    """What goes on the topic for a JSON key or value: objects and arrays as compact JSON."""
    if isinstance(value, (dict, list)):
        return _dumps_compact(value)
    return value


def as_text(value: Any) -> str | None:
    """A key, value or header as the text a LangStream client receives."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    try:
        return _dumps_compact(value)
    except (TypeError, ValueError):
        return str(value)


def push_message(record: StreamRecord, offset: str | None) -> str:
    """A ConsumePushMessage as JSON text; repeated headers keep the last value (a Java Map)."""
    headers = {name: as_text(value) for name, value in record.headers()}
    return _dumps_compact(
        {
            "record": {
                "key": as_text(record.key()),
                "value": as_text(record.value()),
                "headers": headers,
            },
            "offset": offset,
        }
    )


def encode_offset(positions: dict[int, int]) -> str:
    offsets = {str(partition): str(offset) for partition, offset in sorted(positions.items())}
    return base64.b64encode(_dumps_compact({"offsets": offsets}).encode()).decode()


def decode_offset(token: str) -> dict[int, int]:
    """An `offset` from a push message, or a plain number (that offset in every partition).

    Returns {partition: offset}; partition -1 stands for "every partition".
    Raises ValueError with a message for the client.
    """
    token = token.strip()
    if token.isdigit():
        return {-1: int(token)}
    try:
        data = json.loads(base64.b64decode(token, validate=True))
        return {int(p): int(o) for p, o in data["offsets"].items()}
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(
            f"option:position={token!r} is not earliest, latest, an offset number, or the "
            "`offset` of a received message"
        ) from None
