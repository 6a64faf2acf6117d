"""Swapping agents of a running application: new code in, nothing lost, failures change nothing."""

from __future__ import annotations

import shutil

import pytest

from kernel_runtime.agents.factory import AgentInitError
from kernel_runtime.agents.python_loader import AgentCodeError
from kernel_runtime.manifest import load_application
from tests.conftest import APPS

QUESTION_CODE = """
from langstream import SimpleRecord, Processor


class Exclamation(Processor):
    def process(self, record):
        return [SimpleRecord(record.value() + "??", key=record.key())]
"""


@pytest.fixture
def app_copy(tmp_path):
    target = tmp_path / "exclamation-processor"
    shutil.copytree(APPS / "exclamation-processor", target)
    return target


async def test_swap_new_code_mid_stream_loses_nothing(start_app, app_copy):
    runtime = await start_app(app_copy)
    for i in range(300):
        await runtime.send("input-topic", f"m{i}")
        if i == 150:
            (app_copy / "python" / "example.py").write_text(QUESTION_CODE)
            outcome = await runtime.update(
                load_application(app_copy).resolved(), reload=["exclamation"]
            )
            assert outcome == {"exclamation": "swapped"}

    out = await runtime.collect("output-topic", count=300, timeout=10)

    by_input = {r.value()[:-2] for r in out}
    assert by_input == {f"m{i}" for i in range(300)}  # every input came out at least once
    assert out[0].value() == "m0!!" and out[-1].value() == "m299??"


async def test_failing_new_code_leaves_the_running_version(start_app, app_copy):
    runtime = await start_app(app_copy)
    (app_copy / "python" / "example.py").write_text("class Exclamation(:\n")
    with pytest.raises(AgentCodeError, match="syntax error"):
        await runtime.update(load_application(app_copy).resolved(), reload=["exclamation"])
    (app_copy / "python" / "example.py").write_text(
        "class Exclamation:\n    def init(self, config):\n        raise RuntimeError('no key')\n"
    )
    with pytest.raises(AgentInitError, match="no key"):
        await runtime.update(load_application(app_copy).resolved(), reload=["exclamation"])

    await runtime.send("input-topic", "still")
    assert [r.value() for r in await runtime.collect("output-topic", count=1)] == ["still!!"]


async def test_unchanged_agents_keep_running(start_app, app_copy):
    runtime = await start_app(app_copy)
    before = runtime.executors["exclamation"]
    outcome = await runtime.update(load_application(app_copy).resolved())
    assert outcome == {"exclamation": "kept"}
    assert runtime.executors["exclamation"] is before
