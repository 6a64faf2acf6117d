"""Records as they move through the runtime.

Every record handed to user code is a `langstream.Record`, so agents written for LangStream run
unchanged. `StreamRecord` adds what the runtime needs: where the record was read from (topic,
partition, offset) and, for routing agents such as `dispatch`, where it should be written to.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from langstream import Record

Headers = list[tuple[str, Any]]


def now_millis() -> int:
    return time.time_ns() // 1_000_000


class StreamRecord(Record):
    """A `langstream.Record` with its position in the broker, if it was read from one.

    `destination` overrides the agent's output topic for this record (used by `dispatch`);
    it is never written to the broker.
    """

    __slots__ = (
        "_value",
        "_key",
        "_headers",
        "_origin",
        "_timestamp",
        "topic",
        "partition",
        "offset",
        "destination",
    )

    def __init__(
        self,
        value: Any,
        key: Any = None,
        headers: Headers | None = None,
        origin: str | None = None,
        timestamp: int | None = None,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        destination: str | None = None,
    ) -> None:
        self._value = value
        self._key = key
        self._headers = headers if headers is not None else []
        self._origin = origin
        self._timestamp = timestamp
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.destination = destination

    def key(self) -> Any:
        return self._key

    def value(self) -> Any:
        return self._value

    def headers(self) -> Headers:
        return self._headers

    def origin(self) -> str | None:
        return self._origin

    def timestamp(self) -> int | None:
        return self._timestamp

    def header(self, name: str, default: Any = None) -> Any:
        """The last value of header `name` (Kafka allows repeats; the last one wins)."""
        for header_name, value in reversed(self._headers):
            if header_name == name:
                return value
        return default

    def copy(self, **changes: Any) -> StreamRecord:
        """A new record with some fields replaced; position fields are not carried over."""
        fields = {
            "value": self._value,
            "key": self._key,
            "headers": list(self._headers),
            "origin": self._origin,
            "timestamp": self._timestamp,
            "destination": self.destination,
        }
        fields.update(changes)
        return StreamRecord(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (
            self.value() == other.value()
            and self.key() == other.key()
            and list(self.headers() or []) == list(other.headers() or [])
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        where = ""
        if self.topic is not None:
            where = f", topic={self.topic!r}, partition={self.partition}, offset={self.offset}"
        return (
            f"StreamRecord(value={self._value!r}, key={self._key!r}, "
            f"headers={self._headers!r}{where})"
        )


def to_record(result: Any, *, agent_id: str | None = None) -> StreamRecord:
    """Turn what an agent returned into a record, the way LangStream's Python runtime does.

    Accepted: a `langstream.Record` (any implementation), a dict with keys among value, key,
    headers, origin, timestamp, or a tuple/list (value, key, headers, origin, timestamp).
    """
    if isinstance(result, StreamRecord):
        return result
    if isinstance(result, Record):
        return StreamRecord(
            result.value(),
            result.key(),
            list(result.headers() or []),
            result.origin(),
            result.timestamp(),
        )
    if isinstance(result, dict):
        unknown = set(result) - {"value", "key", "headers", "origin", "timestamp"}
        if unknown:
            raise TypeError(
                f"agent {agent_id or '?'} returned a dict with unknown keys {sorted(unknown)}; "
                "a record dict may only have value, key, headers, origin, timestamp"
            )
        return StreamRecord(
            result.get("value"),
            result.get("key"),
            _headers(result.get("headers")),
            result.get("origin"),
            result.get("timestamp"),
        )
    if isinstance(result, (tuple, list)):
        if not 1 <= len(result) <= 5:
            raise TypeError(
                f"agent {agent_id or '?'} returned a tuple of {len(result)} items; "
                "expected (value, key, headers, origin, timestamp), 1 to 5 items"
            )
        value, key, headers, origin, timestamp = (list(result) + [None] * 5)[:5]
        return StreamRecord(value, key, _headers(headers), origin, timestamp)
    raise TypeError(
        f"agent {agent_id or '?'} returned {type(result).__name__}; expected a langstream "
        "Record, a dict or a tuple (value, key, headers, origin, timestamp)"
    )


def _headers(headers: Any) -> Headers:
    if headers is None:
        return []
    if isinstance(headers, dict):
        return list(headers.items())
    return [tuple(header) for header in headers]  # type: ignore[misc]


def to_records(results: Iterable[Any] | None, *, agent_id: str | None = None) -> list[StreamRecord]:
    if results is None:
        return []
    return [to_record(result, agent_id=agent_id) for result in results]
