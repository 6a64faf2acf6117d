"""The `fn:` functions LangStream's `JstlEvaluator` registers, with `JstlFunctions`' semantics.

Null handling follows the Java code function by function (most return null for a null input;
`concat` skips nulls; `contains` is false on null). `fn:filter` needs the evaluation scope and
is wired by the evaluator.
"""

from __future__ import annotations

import datetime as dt
import json
import random as _random
import uuid as _uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kernel_runtime.expressions import coercion as c
from kernel_runtime.expressions import temporal as t
from kernel_runtime.expressions.errors import CoercionError
from kernel_runtime.expressions.javafmt import java_replace_all, java_split


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]
    arity: int
    varargs: bool = False

    def describe_arity(self) -> str:
        count = f"at least {self.arity}" if self.varargs else str(self.arity)
        return f"{count} argument{'s' if self.arity != 1 or self.varargs else ''}"


def _now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_clock: Callable[[], dt.datetime] = _now_utc


def set_clock(clock: Callable[[], dt.datetime] | None) -> None:
    """Replace the clock behind `fn:now()` (tests); None restores the system clock."""
    global _clock
    _clock = clock or _now_utc


def json_default(value: Any) -> Any:
    """How values without a JSON form are written: timestamps as ISO-8601, decimals as numbers."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return c.to_string(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    """Compact JSON, as Jackson's `writeValueAsString` writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=json_default)


def _from_json(value: Any) -> Any:
    if value is None:
        return None
    text = c.to_string(value)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise CoercionError(f"fn:fromJson: invalid JSON: {error}") from error


def _null_or(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


def _to_list_of_float(value: Any) -> list[float] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise CoercionError(f"Cannot convert {c.describe(value)} to list of float")
    if any(item is None for item in value):
        raise CoercionError("fn:toListOfFloat: the list contains a null")
    return [c.jstl_to_double(item) for item in value]


def _split(value: Any, separator: Any) -> list[str] | None:
    if value is None:
        return None
    text = c.to_string(value)
    return [] if not text else java_split(text, c.to_string(separator))


def _unpack(value: Any, fields: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        values: list[Any] = [] if not value else java_split(value, ",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        values = list(value)
    else:
        raise CoercionError(f"fn:unpack cannot unpack object of type {type(value).__name__}")
    names = java_split(c.to_string(fields), ",")
    return {name: values[i] if i < len(values) else None for i, name in enumerate(names)}


def _length(value: Any) -> int:
    return 0 if value is None else len(c.to_string(value))


def _map_of(*items: Any) -> dict[str, Any]:
    if len(items) % 2:
        raise CoercionError("fn:mapOf needs key, value pairs (an even number of arguments)")
    if any(key is None for key in items[::2]):
        raise CoercionError("fn:mapOf: a key is null")
    return {c.to_string(items[i]): items[i + 1] for i in range(0, len(items), 2)}


def _copy_map(value: Any, name: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CoercionError(f"{name} doesn't allow a non-map value, found {c.describe(value)}")
    return dict(value)


def _map_key(key: Any, name: str) -> str:
    if key is None or c.to_string(key) == "":
        raise CoercionError(f"{name} doesn't allow a null field")
    return c.to_string(key)


def _map_put(value: Any, key: Any, item: Any) -> dict[Any, Any]:
    result = _copy_map(value, "fn:mapPut")
    result[_map_key(key, "fn:mapPut")] = item
    return result


def _map_remove(value: Any, key: Any) -> dict[Any, Any]:
    result = _copy_map(value, "fn:mapRemove")
    result.pop(_map_key(key, "fn:mapRemove"), None)
    return result


def _map_to_list_of_structs(value: Any, fields: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        raise CoercionError(f"fn:mapToListOfStructs needs a map, found {c.describe(value)}")
    return [{name: value.get(name) for name in c.to_string(fields).split(",")}]


def _list_to_list_of_structs(value: Any, field: Any) -> list[dict[str, Any]]:
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise CoercionError(f"fn:listToListOfStructs needs a list, found {c.describe(value)}")
    name = c.to_string(field)
    return [{name: item} for item in value]


def _list_add(value: Any, item: Any) -> list[Any]:
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise CoercionError(
            f"fn:listAdd needs a list (use fn:emptyList() to start one), found {c.describe(value)}"
        )
    return [*value, item]


def _add_all(first: Any, second: Any) -> list[Any]:
    result: list[Any] = []
    for position, value in (("First", first), ("Second", second)):
        if value is None:
            continue
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise CoercionError(
                f"{position} argument of fn:addAll is not a list: {c.describe(value)}"
            )
        result.extend(value)
    return result


def _contains(value: Any, part: Any) -> bool:
    if value is None or part is None:
        return False
    return c.to_string(part) in c.to_string(value)


def _java_trim(value: Any) -> str | None:
    return None if value is None else c.to_string(value).strip("".join(map(chr, range(33))))


def _concat(*items: Any) -> str:
    return "".join(c.to_string(item) for item in items if item is not None)


def _replace(value: Any, regex: Any, replacement: Any) -> str | None:
    if value is None:
        return None
    if regex is None or replacement is None:
        return c.to_string(value)
    return java_replace_all(c.to_string(value), c.to_string(regex), c.to_string(replacement))


def _random_int(bound: Any) -> int:
    if bound is None:
        raise CoercionError("max cannot be null for fn:random(max)")
    limit = c.jstl_to_int(bound)
    if limit <= 0:
        raise CoercionError(f"fn:random: max must be positive, got {limit}")
    return _random.randrange(limit)


def _timestamp_add(value: Any, delta: Any, unit: Any) -> dt.datetime:
    if value is None or unit is None:
        raise CoercionError("fn:timestampAdd: the timestamp and the unit must not be null")
    return t.timestamp_add(value, c.jstl_to_long(delta), c.to_string(unit))


def _to_sql_timestamp(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).replace(tzinfo=dt.UTC)
        except ValueError as error:
            raise CoercionError(f"cannot convert {value!r} to a SQL timestamp") from error
    if c.is_number(value):
        return t.from_epoch_millis(int(value))
    raise CoercionError(f"Cannot convert {c.describe(value)} to a java.sql.Timestamp")


def _decimal_from_unscaled(value: Any, scale: Any) -> Decimal:
    if isinstance(value, (bytes, bytearray)):
        unscaled = int.from_bytes(value, "big", signed=True)
    elif c.is_long(value):
        unscaled = value
    elif isinstance(value, str):
        unscaled = c.parse_long(value) if len(value) < 19 else int(value)
    else:
        raise CoercionError(f"cannot convert {c.describe(value)} to an unscaled decimal")
    return Decimal(unscaled).scaleb(-c.jstl_to_int(scale))


def _decimal_from_number(value: Any) -> Decimal:
    return Decimal(repr(c.jstl_to_double(value)))


def _dateadd(value: Any, delta: Any, unit: Any) -> int:
    return t.epoch_millis(_timestamp_add(value, delta, unit))


_REGISTRY = [
    Function("length", _length, 1),
    Function("toJson", to_json, 1),
    Function("fromJson", _from_json, 1),
    Function("split", _split, 2),
    Function("unpack", _unpack, 2),
    Function("uppercase", _null_or(lambda v: c.to_string(v).upper()), 1),
    Function("lowercase", _null_or(lambda v: c.to_string(v).lower()), 1),
    Function("contains", _contains, 2),
    Function("trim", _java_trim, 1),
    Function("concat", _concat, 0, varargs=True),
    Function("concat3", _concat, 3),
    Function("coalesce", lambda value, fallback: fallback if value is None else value, 2),
    Function("str", c.to_string, 1),
    Function("toString", c.to_string, 1),
    Function("toDouble", _null_or(c.jstl_to_double), 1),
    Function("filter", lambda *_: None, 2),  # wired by the evaluator (needs the scope)
    Function("addAll", _add_all, 2),
    Function("listOf", lambda *items: list(items), 0, varargs=True),
    Function("emptyList", lambda: [], 0),
    Function("mapToListOfStructs", _map_to_list_of_structs, 2),
    Function("listToListOfStructs", _list_to_list_of_structs, 2),
    Function("listAdd", _list_add, 2),
    Function("emptyMap", lambda: {}, 0),
    Function("mapPut", _map_put, 3),
    Function("mapOf", _map_of, 0, varargs=True),
    Function("mapRemove", _map_remove, 2),
    Function("toInt", _null_or(c.jstl_to_int), 1),
    Function("toListOfFloat", _to_list_of_float, 1),
    Function("toLong", _null_or(c.jstl_to_long), 1),
    Function("replace", _replace, 3),
    Function("now", lambda: _clock(), 0),
    Function("uuid", lambda: str(_uuid.uuid4()), 0),
    Function("random", _random_int, 1),
    Function("timestampAdd", _timestamp_add, 3),
    Function("toSQLTimestamp", _to_sql_timestamp, 1),
    Function("decimalFromUnscaled", _decimal_from_unscaled, 2),
    Function("decimalFromNumber", _decimal_from_number, 1),
    Function("dateadd", _dateadd, 3),
]
FUNCTIONS: dict[str, Function] = {function.name: function for function in _REGISTRY}
