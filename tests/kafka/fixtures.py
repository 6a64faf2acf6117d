"""Fixtures that run tests on tansu, a real Kafka-protocol broker, as well as on the embedded one.

A pytest plugin (tests/conftest.py lists it in `pytest_plugins`), so every test folder has:
- `tansu`: a tansu process of the test's own (an empty cluster);
- `broker_kind`: "memory" or "kafka"; tests under tests/runtime that use `start_app` run once
  per kind unless marked `@pytest.mark.memory_only(reason=...)`;
- `make_broker()`: a started broker of the test's kind (or of the kind asked), closed after.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kernel_runtime.brokers.kafka import KafkaBroker
from kernel_runtime.brokers.memory import MemoryBroker
from kernel_runtime.brokers.tansu import TansuBroker, TansuError, resolve_binary

RUNTIME_TESTS = Path(__file__).parent.parent / "runtime"
TYPED_VALUES = (
    "typed values: the embedded broker passes Python objects through; Kafka, as LangStream, "
    "reads values back as text (a dict as its JSON)"
)

# Group joins take 5-18 s with aiokafka's default timeouts on tansu, ~1 s with these.
TEST_CONSUMER_OPTIONS: dict[str, Any] = {"session_timeout_ms": 1000, "heartbeat_interval_ms": 200}


def kafka_broker(bootstrap_servers: str, **kwargs: Any) -> KafkaBroker:
    """A KafkaBroker with short group timeouts and connect timeout, as tests want them."""
    kwargs.setdefault("consumer_options", TEST_CONSUMER_OPTIONS)
    kwargs.setdefault("connect_timeout", 10.0)
    return KafkaBroker(bootstrap_servers, **kwargs)


def skip_without_tansu() -> None:
    try:
        resolve_binary()
    except TansuError as error:
        pytest.skip(f"no tansu binary: {error}")


def start_tansu(**options: Any) -> TansuBroker:
    """A new, empty tansu on a free loopback port (skips the test when there is no binary)."""
    skip_without_tansu()
    return TansuBroker(**options).start()


@pytest.fixture
def tansu():
    """A tansu process for this test alone (an empty cluster), stopped after it."""
    process = start_tansu()
    yield process
    process.stop()


@pytest.fixture
def broker_kind(request) -> str:
    return getattr(request, "param", "memory")


@pytest.fixture
async def make_broker(broker_kind):
    """`await make_broker()`: a started, empty broker of the test's kind, closed after the test.

    Like `MemoryBroker()`, every Kafka broker made here is a cluster of its own (a new tansu):
    two calls never share topics. Pass the same broker to share it.
    """
    made: list[tuple[Any, TansuBroker | None]] = []

    async def make(kind: str | None = None, **kafka_options: Any):
        kind = kind or broker_kind
        process = None
        if kind == "memory":
            broker = MemoryBroker()
        else:
            process = start_tansu()
            broker = kafka_broker(process.bootstrap_servers, **kafka_options)
        made.append((broker, process))
        await broker.start()
        return broker

    yield make
    for broker, process in reversed(made):
        try:
            await broker.close()
        finally:
            if process is not None:
                process.stop()


@pytest.fixture
async def broker(make_broker):
    """A started broker of the test's kind."""
    return await make_broker()


async def wait_for_group(broker: Any, group_id: str, members: int, timeout: float = 30.0) -> None:
    """Until the group is stable with `members` members (immediate on the embedded broker,
    where joins are synchronous). On Kafka, replicas starting together may join one by one,
    and the first may take every record before the others are in (tansu has no initial
    rebalance delay); wait for this before asserting how work was shared."""
    if not isinstance(broker, KafkaBroker):
        return
    deadline = asyncio.get_running_loop().time() + timeout
    while (state := await broker.group_members(group_id)) != ("Stable", members):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"group {group_id} is {state}, not stable with {members} members")
        await asyncio.sleep(0.05)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run tests/runtime tests on both brokers, unless marked memory_only."""
    if "broker_kind" not in metafunc.fixturenames:
        return
    path = Path(str(metafunc.definition.path))
    if RUNTIME_TESTS not in path.parents:
        return
    if metafunc.definition.get_closest_marker("memory_only") is not None:
        return
    metafunc.parametrize("broker_kind", ["memory", "kafka"], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "memory_only(reason): runs on the embedded broker only (not on tansu); say why",
    )
