"""`identity` (passes records through) and `noop` (drops them; LangStream's test agent)."""

from __future__ import annotations

from langstream import Record

from kernel_runtime.agents.builtin.base import BuiltinProcessor, same_record
from kernel_runtime.records import StreamRecord


class IdentityAgent(BuiltinProcessor):
    agent_type = "identity"

    async def process(self, record: Record) -> list[StreamRecord]:
        return [same_record(record)]


class NoopAgent(BuiltinProcessor):
    agent_type = "noop"

    async def process(self, record: Record) -> list[StreamRecord]:
        return []
