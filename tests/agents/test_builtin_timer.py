"""timer-source: periodic records with computed fields (LangStream's TimerSource)."""

from __future__ import annotations

import time

import pytest

from kernel_runtime.agents.builtin import AgentConfigError

from .builtin_helpers import make

FIELDS = [
    {"name": "value.now", "expression": "fn:now()"},
    {"name": "key.someid", "expression": "fn:uuid()"},
    {"name": "properties.someprop", "expression": "fn:random(1000)"},
    {"name": "value.n", "expression": "42"},
]


async def read_one(agent, timeout: float = 5.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = await agent.read()
        if records:
            return records
    raise AssertionError("no record from timer-source")


async def test_timer_source_emits_records_with_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    agent = make("timer-source", {"period-seconds": 1, "fields": FIELDS})
    agent.start()
    monkeypatch.setattr(agent, "period", 0.05)  # keep the test fast; the config path is above
    agent._next_due = time.monotonic() + 0.05
    for _ in range(3):
        [record] = await read_one(agent)
        assert record.value()["now"] is not None
        assert record.value()["n"] == 42
        assert record.key()["someid"]
        assert 0 <= int(record.header("someprop")) < 1000
        assert record.timestamp() is not None


async def test_timer_source_waits_a_period_first() -> None:
    agent = make("timer-source", {"period-seconds": 1})
    agent.start()
    started = time.monotonic()
    assert await agent.read() == []
    assert time.monotonic() - started >= 0.4
    [record] = await read_one(agent)
    assert time.monotonic() - started >= 0.95
    assert (record.value(), record.key()) == ({}, {})


async def test_timer_source_bad_field_is_skipped() -> None:
    agent = make("timer-source", {"fields": [{"name": "properties.x", "expression": "value.none"}]})
    agent._next_due = 0
    assert await agent.read() == []


def test_timer_source_configuration() -> None:
    assert make("timer-source").period == 60
    with pytest.raises(AgentConfigError, match="'period-seconds' must be an integer"):
        make("timer-source", {"period-seconds": "often"})
    with pytest.raises(AgentConfigError, match=r"'fields\[0\].name' is required"):
        make("timer-source", {"fields": [{"expression": "1"}]})
