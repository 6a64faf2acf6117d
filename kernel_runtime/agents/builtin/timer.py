"""`timer-source`: emits a record every `period-seconds` (LangStream's `TimerSource`).

The first record comes one period after `start`. Each record starts from key `{}` and value
`{}` (maps) and gets its `fields` set from expressions (e.g. `value.now: fn:now()`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from langstream import Record, Source

from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.flow import apply_fields, read_fields
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.records import StreamRecord, now_millis

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # like LangStream's read(): wait at most this long for the next tick


class TimerSource(Source):
    agent_type = "timer-source"

    def init(self, config: dict[str, Any], context: Any = None) -> None:
        reader = ConfigReader(
            self.agent_type, config, ("period-seconds", "fields"), context=context
        )
        self.agent_id = reader.agent_id
        self.period = reader.integer("period-seconds", 60, minimum=1)
        self.fields = read_fields(reader, result_fields=True)
        self._next_due: float | None = None

    def start(self) -> None:
        self._next_due = time.monotonic() + self.period

    def _emit(self) -> list[StreamRecord]:
        mutable = MutableRecord.from_record(StreamRecord("{}", "{}"))
        try:
            apply_fields(mutable, self.fields)
        except Exception:  # noqa: BLE001 - as LangStream: a failed tick is logged and skipped
            log.exception("timer-source %s: error while computing the record", self.agent_id)
            return []
        mutable.event_time = now_millis()
        return [mutable.to_record(serialize=False)]

    async def read(self) -> list[StreamRecord]:
        if self._next_due is None:
            self.start()
        assert self._next_due is not None
        remaining = self._next_due - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(min(remaining, POLL_SECONDS))
            if time.monotonic() < self._next_due:
                return []
        now = time.monotonic()
        self._next_due = max(self._next_due + self.period, now)
        return self._emit()

    def commit(self, record: Record) -> None:
        """Nothing to acknowledge: timer records are not read from anywhere."""
