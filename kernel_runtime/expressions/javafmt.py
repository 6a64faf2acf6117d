"""Java's text conventions, so results print and split as they do in LangStream (Java).

`java_str` mirrors `Object.toString()` (doubles as `1.0E10`, maps as `{a=1}`, instants as
`2017-01-02T00:01:02Z`), `java_split` mirrors `String.split(regex)` (trailing empty strings
dropped, capture groups not returned), `java_replace_all` mirrors `String.replaceAll` (with `$1`
group references in the replacement).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any


def java_double(value: float) -> str:
    """`Double.toString`: plain between 1e-3 and 1e7, else `d.dddE±n`; always a fraction digit."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent)  # position of the decimal point in `text`
    prefix = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{prefix}0.{'0' * -point}{text}"
        whole = text[:point].ljust(point, "0")
        fraction = text[point:] or "0"
        return f"{prefix}{whole}.{fraction}"
    mantissa = f"{text[0]}.{text[1:] or '0'}"
    return f"{prefix}{mantissa}E{point - 1}"


def _fraction(nanos: int) -> str:
    """Java time formatting: fraction in groups of 3 digits, omitted when zero."""
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def java_local_time(value: dt.time) -> str:
    """`LocalTime.toString`: seconds omitted when seconds and fraction are zero."""
    text = f"{value.hour:02d}:{value.minute:02d}"
    nanos = value.microsecond * 1000
    if value.second or nanos:
        text += f":{value.second:02d}{_fraction(nanos)}"
    return text


def java_datetime(value: dt.datetime) -> str:
    """Aware datetimes print as `Instant.toString` (UTC, `Z`); naive as `LocalDateTime`."""
    if value.tzinfo is None:
        return f"{value.date().isoformat()}T{java_local_time(value.time())}"
    utc = value.astimezone(dt.UTC)
    seconds = f"{utc:%Y-%m-%dT%H:%M:%S}"
    return f"{seconds}{_fraction(utc.microsecond * 1000)}Z"


def java_str(value: Any, *, top: bool = True) -> str:
    """`String.valueOf` as LangStream's EL coercion does it (`null` is "" at top level)."""
    if value is None:
        return "" if top else "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dt.datetime):
        return java_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return java_local_time(value)
    if isinstance(value, dict):
        items = (f"{java_str(k, top=False)}={java_str(v, top=False)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(java_str(v, top=False) for v in value) + "]"
    return str(value)


def java_split(text: str, regex: str) -> list[str]:
    """`String.split(regex)`: no leading empty string for a zero-width match, trailing empties dropped."""
    pattern = re.compile(regex)
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.end() == 0:
            continue
        if match.start() == match.end() and match.start() >= len(text):
            break
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    while parts and parts[-1] == "":
        parts.pop()
    return parts if text else [""]


def java_replace_all(text: str, regex: str, replacement: str) -> str:
    """`String.replaceAll`: `$n` / `${name}` group references, backslash escapes the next char."""
    pieces: list[tuple[str, str | int]] = []
    i = 0
    literal = []
    while i < len(replacement):
        char = replacement[i]
        if char == "\\" and i + 1 < len(replacement):
            literal.append(replacement[i + 1])
            i += 2
        elif char == "$" and i + 1 < len(replacement):
            if replacement[i + 1] == "{":
                end = replacement.index("}", i)
                group: str | int = replacement[i + 2 : end]
                i = end + 1
            else:
                match = re.match(r"\d+", replacement[i + 1 :])
                if not match:
                    raise ValueError(f"illegal group reference in replacement {replacement!r}")
                group = int(match.group())
                i += 1 + len(match.group())
            pieces.append(("".join(literal), group))
            literal = []
        else:
            literal.append(char)
            i += 1
    tail = "".join(literal)

    def expand(match: re.Match[str]) -> str:
        out = [prefix + (match.group(group) or "") for prefix, group in pieces]
        return "".join(out) + tail

    return re.sub(regex, expand, text)
