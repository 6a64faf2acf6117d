"""The collector tuning a running pipeline holds, and gives back when the last one stops."""

from __future__ import annotations

import gc

import pytest

from kernel_runtime import gc_tuning
from kernel_runtime.agents.python_loader import AgentCodeError
from kernel_runtime.manifest import load_application
from kernel_runtime.runtime import ApplicationRuntime
from tests.conftest import APPS, fast_options


@pytest.fixture(autouse=True)
def known_collector_settings():
    """Each test starts from CPython's default thresholds and leaves them as it found them."""
    assert not gc_tuning.applied(), "an earlier test left a pipeline running"
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    while gc_tuning.applied():
        gc_tuning.release()
    gc.unfreeze()
    gc.set_threshold(*saved)


def test_acquire_raises_the_young_threshold_and_freezes_what_exists():
    gc_tuning.acquire()
    assert gc.get_threshold() == (gc_tuning.YOUNG_THRESHOLD, 10, 10)
    assert gc.get_freeze_count() > 0
    gc_tuning.release()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_the_last_of_several_holders_restores_the_settings():
    gc_tuning.acquire()
    gc_tuning.acquire()
    gc_tuning.release()
    assert gc_tuning.applied()
    assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD
    gc_tuning.release()
    assert not gc_tuning.applied()
    assert gc.get_threshold() == (700, 10, 10)
    gc_tuning.release()  # one release too many changes nothing
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_set_by_the_program_is_kept():
    gc.set_threshold(100_000, 5, 5)
    gc_tuning.acquire()
    assert gc.get_threshold() == (100_000, 5, 5)
    gc_tuning.release()
    assert gc.get_threshold() == (100_000, 5, 5)


def is_collected_normally(obj: object) -> bool:
    """Whether `obj` is in a generation the collector scans (frozen objects are in none)."""
    return any(tracked is obj for tracked in gc.get_objects())


def test_a_freeze_made_by_the_program_is_left_to_the_program():
    kept_frozen = [object()]  # a container the collector tracks
    gc.freeze()
    assert not is_collected_normally(kept_frozen)
    gc_tuning.acquire()
    assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD
    gc_tuning.release()
    assert not is_collected_normally(kept_frozen)  # still the program's frozen object
    assert gc.get_threshold() == (700, 10, 10)
    gc.unfreeze()
    assert is_collected_normally(kept_frozen)  # the check itself can tell the two apart


def test_the_environment_can_turn_the_tuning_off(monkeypatch):
    monkeypatch.setenv("LS_WORKBENCH_GC_TUNING", "0")
    gc_tuning.acquire()
    assert not gc_tuning.applied()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0
    gc_tuning.release()
    assert gc.get_threshold() == (700, 10, 10)


async def test_a_running_application_holds_the_tuning_until_it_stops(tmp_path):
    app = load_application(APPS / "exclamation-processor").resolved()
    runtime = ApplicationRuntime(app, options=fast_options(tmp_path / "state"))
    await runtime.start()
    try:
        assert gc_tuning.applied()
        await runtime.send("input-topic", "hello")
        [out] = await runtime.collect("output-topic", count=1, timeout=10)
        assert out.value() == "hello!!"
    finally:
        await runtime.stop()
    assert not gc_tuning.applied()
    assert gc.get_threshold() == (700, 10, 10)
    await runtime.stop()  # a second stop does not release another holder's tuning
    assert gc.get_threshold() == (700, 10, 10)


async def test_an_application_whose_agent_fails_to_start_leaves_the_collector_alone(tmp_path):
    app = load_application(APPS / "bad-class").resolved()  # className names no class
    runtime = ApplicationRuntime(app, options=fast_options(tmp_path / "state"))
    with pytest.raises(AgentCodeError, match="Exclamaton"):
        await runtime.start()
    assert not gc_tuning.applied()
    await runtime.stop()
    assert not gc_tuning.applied()
    assert gc.get_threshold() == (700, 10, 10)
