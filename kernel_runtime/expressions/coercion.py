"""Jakarta EL coercion and operator rules, as LangStream (Tomcat EL + JstlTypeConverter) applies them.

Python values stand for Java ones: `int` is a Long, `float` a Double, `Decimal` a BigDecimal,
`bool` a Boolean (checked before `int`, since Python's bool is an int), `bytes` a byte[].

Two coercions to numbers exist, as in LangStream: comparisons and `==` go through
`JstlTypeConverter` (a string "3.0" compares equal to 3, a timestamp compares as epoch millis);
arithmetic uses plain EL rules (a string without `.`/`e` must be an integer).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
from decimal import Decimal, InvalidOperation
from typing import Any

from kernel_runtime.expressions.errors import CoercionError
from kernel_runtime.expressions.javafmt import java_str
from kernel_runtime.expressions.temporal import epoch_millis, millis_of_day

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
_JAVA_DOUBLE = re.compile(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?")
_JAVA_LONG = re.compile(r"[+-]?\d+")


def describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def to_string(value: Any) -> str:
    """EL `coerceToString`: null is "", bytes are UTF-8, everything else as Java prints it."""
    return java_str(value)


def to_boolean(value: Any) -> bool:
    """EL `coerceToBoolean` (primitive): null and "" are false, strings are "true" (any case)."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    if isinstance(value, (bytes, bytearray)):
        return len(value) > 0 and value[0] != 0
    raise CoercionError(f"cannot convert {describe(value)} to a boolean")


def wrap_long(value: int) -> int:
    """Java long arithmetic wraps around on overflow."""
    return (value - LONG_MIN) % 2**64 + LONG_MIN


def saturate_long(value: float) -> int:
    """Java `(long) double`: NaN is 0, out-of-range values clamp, truncation toward zero."""
    if value != value:
        return 0
    if value >= LONG_MAX:
        return LONG_MAX
    if value <= LONG_MIN:
        return LONG_MIN
    return int(value)


def parse_double(text: str) -> float:
    """`Double.valueOf`: surrounding blanks allowed, Java syntax only (no `_`, no `inf`)."""
    stripped = text.strip()
    if not _JAVA_DOUBLE.fullmatch(stripped):
        raise CoercionError(f"cannot convert {text!r} to a number")
    return float(stripped.rstrip("fFdD").replace("Infinity", "inf"))


def parse_long(text: str) -> int:
    """`Long.valueOf`: an optional sign and digits, within the 64-bit range."""
    if not _JAVA_LONG.fullmatch(text) or not LONG_MIN <= int(text) <= LONG_MAX:
        raise CoercionError(f"cannot convert {text!r} to an integer")
    return int(text)


def el_to_double(value: Any) -> float:
    """EL `coerceToNumber(value, Double)`."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, str):
        return parse_double(value)
    if is_number(value):
        return float(value)
    raise CoercionError(f"cannot convert {describe(value)} to a number")


def el_to_long(value: Any) -> int:
    """EL `coerceToNumber(value, Long)`: strings must be integers."""
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        return parse_long(value)
    if is_long(value):
        return value
    if is_number(value):
        return saturate_long(float(value))
    raise CoercionError(f"cannot convert {describe(value)} to a number")


def jstl_to_double(value: Any) -> float:
    """`JstlTypeConverter.coerceToDouble`: also times, dates, timestamps and 8-byte arrays."""
    if isinstance(value, dt.datetime):
        return float(epoch_millis(value)) + (value.microsecond % 1000) / 1000
    if isinstance(value, dt.date):
        return float((value - dt.date(1970, 1, 1)).days)
    if isinstance(value, dt.time):
        return millis_of_day(value) + (value.microsecond % 1000) / 1000
    if isinstance(value, (bytes, bytearray)):
        return _unpack(">d", value)
    return el_to_double(value)


def jstl_to_long(value: Any) -> int:
    """`JstlTypeConverter.coerceToLong`: via double, so "3.7" is 3; timestamps are epoch millis."""
    if isinstance(value, dt.datetime):
        return epoch_millis(value)
    if isinstance(value, dt.date):
        return (value - dt.date(1970, 1, 1)).days
    if isinstance(value, dt.time):
        return millis_of_day(value)
    if isinstance(value, (bytes, bytearray)):
        return _unpack(">q", value)
    if is_long(value):
        return value
    return saturate_long(el_to_double(value))


def jstl_to_int(value: Any) -> int:
    """`JstlTypeConverter.coerceToInteger`: like `jstl_to_long`, narrowed to 32 bits."""
    if isinstance(value, dt.datetime):
        raise CoercionError(f"cannot convert {describe(value)} to an int")
    if isinstance(value, (bytes, bytearray)):
        return _unpack(">i", value)
    number = jstl_to_long(value)
    if isinstance(value, float):
        return max(-(2**31), min(2**31 - 1, number))
    return (number + 2**31) % 2**32 - 2**31


def _unpack(fmt: str, data: bytes | bytearray) -> Any:
    try:
        return struct.unpack(fmt, bytes(data))[0]
    except struct.error as error:
        raise CoercionError(f"cannot decode {len(data)} bytes as {fmt!r}") from error


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(value if is_long(value) else to_string(value))
    except InvalidOperation as error:
        raise CoercionError(f"cannot convert {describe(value)} to a decimal") from error


# --- operators ---------------------------------------------------------------------------------


def _is_double_operand(value: Any) -> bool:
    return isinstance(value, float) or (isinstance(value, str) and any(c in value for c in ".eE"))


def _arith_kind(left: Any, right: Any) -> str | None:
    if left is None and right is None:
        return None
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return "decimal"
    if _is_double_operand(left) or _is_double_operand(right):
        return "double"
    return "long"


def _arith_operand(value: Any, kind: str) -> Any:
    if value is not None and not isinstance(value, str) and not is_number(value):
        raise CoercionError(f"cannot convert {describe(value)} to a number")
    if kind == "double":
        return el_to_double(value)
    if kind == "decimal":
        return to_decimal(0 if value is None or value == "" else value)
    return el_to_long(value)


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """`+ - *` (and `/ %` below) with `ELArithmetic`'s choice of Long, Double or BigDecimal."""
    if op == "/":
        return divide(left, right)
    if op == "%":
        return modulo(left, right)
    kind = _arith_kind(left, right)
    if kind is None:
        return 0
    a, b = _arith_operand(left, kind), _arith_operand(right, kind)
    result = a + b if op == "+" else a - b if op == "-" else a * b
    return wrap_long(result) if kind == "long" else result


def divide(left: Any, right: Any) -> Any:
    """EL `/`: always a double (or a decimal); dividing by zero gives Infinity or NaN."""
    kind = _arith_kind(left, right)
    if kind is None:
        return 0
    if kind == "decimal":
        a, b = _arith_operand(left, kind), _arith_operand(right, kind)
        if b == 0:
            raise CoercionError("division by zero")
        return (a / b).quantize(Decimal(1).scaleb(a.as_tuple().exponent))
    a, b = _arith_operand(left, "double"), _arith_operand(right, "double")
    if b == 0:
        return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)
    return a / b


def modulo(left: Any, right: Any) -> Any:
    """EL `%`: Java remainder (sign of the dividend); a long remainder by zero is an error."""
    kind = _arith_kind(left, right)
    if kind is None:
        return 0
    if kind in ("double", "decimal"):
        a, b = _arith_operand(left, "double"), _arith_operand(right, "double")
        return math.nan if b == 0 else math.fmod(a, b)
    a, b = _arith_operand(left, "long"), _arith_operand(right, "long")
    if b == 0:
        raise CoercionError("division by zero in '%'")
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def negate(value: Any) -> Any:
    """EL unary minus: null is 0; numeric strings are parsed; other types are errors."""
    if value is None:
        return 0
    if isinstance(value, str):
        return -parse_double(value) if _is_double_operand(value) else wrap_long(-parse_long(value))
    if is_long(value):
        return wrap_long(-value)
    if is_number(value):
        return -value
    raise CoercionError(f"cannot negate {describe(value)}")


def concat(left: Any, right: Any) -> str:
    """EL 3.0 `+=` string concatenation."""
    return to_string(left) + to_string(right)


def is_empty(value: Any) -> bool:
    """EL `empty`: null, "", and empty collections/maps/arrays."""
    if value is None:
        return True
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)):
        return len(value) == 0
    return False


def equals(left: Any, right: Any) -> bool:
    """EL `==`: numeric if either side is a number, boolean if either is a boolean, then text."""
    if left is right:
        return True
    if left is None or right is None:
        return False
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return to_decimal(left) == to_decimal(right)
    if isinstance(left, float) or isinstance(right, float):
        return jstl_to_double(left) == jstl_to_double(right)
    if is_long(left) or is_long(right):
        return jstl_to_long(left) == jstl_to_long(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, str) or isinstance(right, str):
        return to_string(left) == to_string(right)
    return bool(left == right)


def compare(left: Any, right: Any) -> int:
    """EL ordering (`<` and friends) for two non-null values; -1, 0 or 1."""
    if equals(left, right):
        return 0
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        a, b = to_decimal(left), to_decimal(right)
    elif isinstance(left, float) or isinstance(right, float):
        a, b = jstl_to_double(left), jstl_to_double(right)
    elif is_long(left) or is_long(right):
        a, b = jstl_to_long(left), jstl_to_long(right)
    elif isinstance(left, str) or isinstance(right, str):
        a, b = to_string(left), to_string(right)
    else:
        a, b = left, right
    try:
        return -1 if a < b else 1 if a > b else 0
    except TypeError as error:
        raise CoercionError(f"cannot compare {describe(left)} with {describe(right)}") from error
