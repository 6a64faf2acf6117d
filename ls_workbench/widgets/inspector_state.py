"""The record inspector's state, without any widget: records kept, filters, rates, lag.

Kept apart from the widget so its behaviour (what is shown after records arrive, what a filter
hides, how fast a topic flows) is tested directly. Thread-safe: the loop thread adds records
and counters while the kernel thread changes filters; one lock guards both.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from kernel_runtime.records import StreamRecord

ERROR_HEADER_PREFIX = "langstream-error-"
DEAD_LETTER_SUFFIX = "-deadletter"
MAX_TEXT = 4000
RATE_WINDOW = 2.0


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(value)} bytes>"
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def pretty(text: str) -> str:
    """Indented JSON when the text is a JSON object or array, else the text itself."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and len(stripped) < MAX_TEXT:
        try:
            return json.dumps(json.loads(stripped), indent=2, sort_keys=True, ensure_ascii=False)
        except ValueError:
            return text
    return text


@dataclass(frozen=True)
class InspectedRecord:
    """One record as the inspector shows it (text only, so memory per record is bounded)."""

    topic: str
    partition: int
    offset: int
    timestamp: int | None
    key: str
    value: str
    headers: tuple[tuple[str, str], ...]

    @property
    def error(self) -> str | None:
        """The dead-letter error (`langstream-error-*` headers), if the record carries one."""
        errors = {
            n[len(ERROR_HEADER_PREFIX) :]: v
            for n, v in self.headers
            if n.startswith(ERROR_HEADER_PREFIX)
        }
        if not errors:
            return None
        kind = errors.get("type", "error")
        message = errors.get("message", "")
        agent = errors.get("agent")
        return f"{kind}: {message}" + (f" (agent {agent})" if agent else "")

    @property
    def dead_letter(self) -> bool:
        return self.topic.endswith(DEAD_LETTER_SUFFIX) or self.error is not None

    @classmethod
    def of(cls, record: StreamRecord) -> InspectedRecord:
        return cls(
            topic=record.topic or "",
            partition=record.partition or 0,
            offset=record.offset if record.offset is not None else -1,
            timestamp=record.timestamp(),
            key=_text(record.key()),
            value=_text(record.value()),
            headers=tuple((str(n), _text(v)) for n, v in record.headers() or []),
        )


@dataclass
class Filters:
    key: str = ""
    value: str = ""
    header: str = ""

    def match(self, record: InspectedRecord) -> bool:
        if self.key and self.key.lower() not in record.key.lower():
            return False
        if self.value and self.value.lower() not in record.value.lower():
            return False
        if self.header:
            name, _, wanted = self.header.partition("=")
            name, wanted = name.strip().lower(), wanted.strip().lower()
            if not any(
                name in n.lower() and (not wanted or wanted in v.lower()) for n, v in record.headers
            ):
                return False
        return True


class InspectorState:
    """Records kept (newest last, at most `max_records`), totals and rates per topic, lag."""

    def __init__(self, topics: list[str] | None = None, max_records: int = 500) -> None:
        self.topics = list(topics) if topics else []
        self.max_records = max_records
        self.records: deque[InspectedRecord] = deque(maxlen=max_records)
        self.totals: dict[str, int] = {}
        self.seen: dict[str, int] = {}
        self.lag: dict[str, int] = {}
        self.filters = Filters()
        self.paused = False
        self.version = 0
        self._history: dict[str, deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    def add(self, records: list[StreamRecord]) -> None:
        if not records:
            return
        inspected = [InspectedRecord.of(record) for record in records[-self.max_records :]]
        with self._lock:
            for record in records:
                topic = record.topic or ""
                self.seen[topic] = self.seen.get(topic, 0) + 1
            self.records.extend(inspected)
            self.version += 1

    def update_totals(self, totals: dict[str, int], now: float | None = None) -> None:
        """Records each topic holds in total (its end offsets), sampled now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for topic, total in totals.items():
                history = self._history.setdefault(topic, deque())
                history.append((now, total))
                while len(history) > 2 and now - history[1][0] >= RATE_WINDOW:
                    history.popleft()
                if self.totals.get(topic) != total:
                    self.version += 1
                self.totals[topic] = total

    def update_lag(self, lag: dict[str, int]) -> None:
        with self._lock:
            if lag != self.lag:
                self.lag = dict(lag)
                self.version += 1

    def rate(self, topic: str) -> float:
        """Records per second over the last couple of seconds."""
        with self._lock:
            history = self._history.get(topic)
            if not history or len(history) < 2:
                return 0.0
            (t0, n0), (t1, n1) = history[0], history[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def set_filters(
        self, key: str | None = None, value: str | None = None, header: str | None = None
    ) -> None:
        with self._lock:
            if key is not None:
                self.filters.key = key
            if value is not None:
                self.filters.value = value
            if header is not None:
                self.filters.header = header
            self.version += 1

    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self.paused = paused
            self.version += 1

    def visible(self, limit: int | None = None) -> list[InspectedRecord]:
        """Records passing the filters, newest first."""
        with self._lock:
            records = list(self.records)
            filters = Filters(self.filters.key, self.filters.value, self.filters.header)
        newest_first = sorted(reversed(records), key=lambda r: r.timestamp or 0, reverse=True)
        shown = [record for record in newest_first if filters.match(record)]
        return shown if limit is None else shown[:limit]

    def dead_letters(self) -> list[InspectedRecord]:
        return [record for record in self.visible() if record.dead_letter]
