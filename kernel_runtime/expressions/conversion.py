"""Conversions to LangStream's schema types (`compute` field `type`, `cast` `schema-type`).

Names are LangStream's (`ComputeFieldType`, `TransformSchemaType`); the Python result types
are those described in `temporal`. Null stays null, as in `JstlTypeConverter`.
"""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal
from typing import Any

from kernel_runtime.expressions import coercion as c
from kernel_runtime.expressions import temporal as t
from kernel_runtime.expressions.errors import CoercionError

SCHEMA_TYPES = (
    "STRING",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "FLOAT",
    "DOUBLE",
    "BOOLEAN",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "INSTANT",
    "LOCAL_DATE",
    "LOCAL_TIME",
    "LOCAL_DATE_TIME",
    "DATETIME",
    "BYTES",
    "DECIMAL",
)


def _narrow(value: Any, bits: int) -> int:
    if isinstance(value, str):
        number = c.parse_long(value.strip())
        if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
            raise CoercionError(f"{value!r} is out of range for a {bits}-bit integer")
        return number
    number = c.jstl_to_long(value)
    half = 2 ** (bits - 1)
    return (number + half) % (2 * half) - half


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bool):
        return b"\x01" if value else b"\x00"
    if isinstance(value, int):
        return struct.pack(">q", value)
    if isinstance(value, float):
        return struct.pack(">d", value)
    raise CoercionError(f"Cannot convert type {type(value).__name__} to bytes")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)):
        return len(value) > 0 and value[0] != 0
    return c.to_boolean(value)


_CONVERTERS: dict[str, Any] = {
    "STRING": c.to_string,
    "INT8": lambda v: _narrow(v, 8),
    "INT16": lambda v: _narrow(v, 16),
    "INT32": c.jstl_to_int,
    "INT64": c.jstl_to_long,
    "FLOAT": c.jstl_to_double,
    "DOUBLE": c.jstl_to_double,
    "BOOLEAN": _to_boolean,
    "DATE": t.to_local_date,
    "LOCAL_DATE": t.to_local_date,
    "TIME": t.to_local_time,
    "LOCAL_TIME": t.to_local_time,
    "LOCAL_DATE_TIME": t.to_local_datetime,
    "TIMESTAMP": t.to_instant,
    "INSTANT": t.to_instant,
    "DATETIME": t.to_instant,
    "BYTES": _to_bytes,
    "DECIMAL": c.to_decimal,
}


def coerce_to_type(value: Any, type_name: str) -> Any:
    """Convert `value` to the schema type `type_name` (one of `SCHEMA_TYPES`)."""
    if value is None:
        return None
    try:
        converter = _CONVERTERS[type_name]
    except KeyError:
        raise CoercionError(f"unsupported type {type_name!r}") from None
    return converter(value)


def schema_type_of(value: Any) -> str | None:
    """The LangStream schema type a Python value has on a record (None for null)."""
    if value is None:
        return None
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, (bytes, bytearray)):
        return "BYTES"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, Decimal):
        return "DECIMAL"
    if isinstance(value, dt.datetime):
        return "INSTANT" if value.tzinfo else "LOCAL_DATE_TIME"
    if isinstance(value, dt.date):
        return "LOCAL_DATE"
    if isinstance(value, dt.time):
        return "LOCAL_TIME"
    if isinstance(value, dict):
        return "MAP"
    return "OBJECT"
