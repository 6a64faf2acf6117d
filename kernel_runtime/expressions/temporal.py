"""Date and time conversions of LangStream's `JstlTypeConverter`, on Python's datetime types.

Java types map to Python ones: `Instant`/`OffsetDateTime`/`Timestamp` -> aware `datetime`
(UTC), `LocalDateTime` -> naive `datetime`, `LocalDate` -> `date`, `LocalTime`/`Time` -> `time`.
Numbers are epoch milliseconds (ints) or fractional milliseconds (floats); dates as numbers are
epoch days; times as numbers are milliseconds since midnight. Naive values are taken as UTC.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from kernel_runtime.expressions.errors import CoercionError

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def _describe(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def epoch_millis(value: dt.datetime) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    delta = aware - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def millis_of_day(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000


def from_epoch_millis(millis: int | float) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=millis)


def parse_offset_datetime(text: str) -> dt.datetime:
    """An RFC 3339 / ISO date-time (`Z` or offset; none means UTC), or a bare `yyyy-MM-dd`."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise CoercionError(f"cannot parse {text!r} as an ISO-8601 date-time") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_offset_datetime(value: Any) -> dt.datetime:
    """`coerceToOffsetDateTime`: keeps the offset of a text value (matters for months/years)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        return parse_offset_datetime(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_epoch_millis(value)
    raise CoercionError(f"cannot convert {_describe(value)} to a timestamp")


def to_instant(value: Any) -> dt.datetime:
    """`coerceToInstant`, as an aware UTC datetime."""
    return to_offset_datetime(value).astimezone(UTC)


def to_local_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise CoercionError(f"cannot parse {value!r} as a date (yyyy-MM-dd)") from error
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.date(1970, 1, 1) + dt.timedelta(days=int(value))
    raise CoercionError(f"cannot convert {_describe(value)} to a date")


def to_local_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError as error:
            raise CoercionError(f"cannot parse {value!r} as a time (HH:mm:ss)") from error
    if isinstance(value, (dt.datetime, int, float)) and not isinstance(value, bool):
        return to_instant(value).time()
    raise CoercionError(f"cannot convert {_describe(value)} to a time")


def to_local_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise CoercionError(f"cannot parse {value!r} as a local date-time") from error
        return parsed.replace(tzinfo=None)
    return to_instant(value).replace(tzinfo=None)


def add_months(value: dt.datetime, months: int) -> dt.datetime:
    """`OffsetDateTime.plusMonths`: the day is clamped to the end of the target month."""
    total = value.year * 12 + (value.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


TIMESTAMP_UNITS = ("years", "months", "days", "hours", "minutes", "seconds", "millis", "nanos")


def timestamp_add(value: Any, delta: int, unit: str) -> dt.datetime:
    """`fn:timestampAdd`: calendar arithmetic for months/years, exact arithmetic otherwise."""
    if unit == "years":
        return add_months(to_offset_datetime(value), 12 * delta).astimezone(UTC)
    if unit == "months":
        return add_months(to_offset_datetime(value), delta).astimezone(UTC)
    step = {
        "days": dt.timedelta(days=1),
        "hours": dt.timedelta(hours=1),
        "minutes": dt.timedelta(minutes=1),
        "seconds": dt.timedelta(seconds=1),
        "millis": dt.timedelta(milliseconds=1),
    }.get(unit)
    if unit == "nanos":
        return to_instant(value) + dt.timedelta(microseconds=delta / 1000)
    if step is None:
        raise CoercionError(
            f"Invalid unit: {unit}. Should be one of "
            "[years, months, days, hours, minutes, seconds, millis]"
        )
    return to_instant(value) + step * delta
