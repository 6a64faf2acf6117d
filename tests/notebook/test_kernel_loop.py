"""The background loop: results cross threads, and a shutdown stops every agent cleanly."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from ls_workbench.kernel_loop import KernelLoop, LoopStopped
from ls_workbench.workbench import Workbench
from tests.conftest import PROJECT_ROOT
from tests.notebook.conftest import UPPER

CLOSING_AGENT = """
import os
from langstream import Processor


class Closing(Processor):
    def init(self, config, context):
        self.marker = os.path.join(context.get_persistent_state_directory(), "closed")

    def process(self, record):
        return [record]

    def close(self):
        with open(self.marker, "w") as handle:
            handle.write("closed")
"""


def test_run_returns_results_and_raises_errors_across_threads():
    loop = KernelLoop()
    try:

        async def answer() -> int:
            await asyncio.sleep(0)
            return 42

        async def fail() -> None:
            raise ValueError("from the loop")

        assert loop.run(answer()) == 42
        with pytest.raises(ValueError, match="from the loop"):
            loop.run(fail())
    finally:
        loop.stop()


def test_a_timeout_cancels_the_coroutine():
    loop = KernelLoop()
    cancelled = []

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    try:
        with pytest.raises(TimeoutError):
            loop.run(forever(), timeout=0.1)
        deadline = time.monotonic() + 5
        while not cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        assert cancelled == [True]
    finally:
        loop.stop()


def test_stopping_the_loop_stops_the_pipeline_and_closes_the_broker(tmp_path):
    loop = KernelLoop()
    wb = Workbench("shutdown", workdir=tmp_path, loop=loop, make_current=False)
    wb.define_agent("upper", "python-processor", input="in", output="out", code=UPPER)
    wb.start()
    executor = wb.engine.runtime.executors["upper"]
    broker = wb.engine.broker

    loop.stop()

    assert executor.stats.state == "stopped"
    assert broker.closed
    assert not loop.thread.is_alive()
    with pytest.raises(LoopStopped):
        wb.status()


@pytest.mark.timeout(180)
@pytest.mark.parametrize("how", ["shutdown", "restart"])
def test_a_kernel_shutdown_or_restart_closes_the_agents(tmp_path: Path, how: str):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        reply = client.execute_interactive(
            f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r})\n"
            "from ls_workbench import Workbench\n"
            "from ls_workbench.kernel_loop import KERNEL_SWITCH_INTERVAL\n"
            "from kernel_runtime import gc_tuning\n"
            f"wb = Workbench('closing', workdir={str(tmp_path)!r})\n"
            f"wb.define_agent('closing', 'python-processor', input='in', output='out', "
            f"disk='1M', code={CLOSING_AGENT!r})\n"
            "wb.start()\n"
            "wb.send('in', 'x'); assert wb.collect('out', count=1)\n"
            # in a kernel, cells get the GIL quickly and the collector is tuned while it runs
            "assert abs(sys.getswitchinterval() - KERNEL_SWITCH_INTERVAL) < 1e-6\n"
            "assert gc_tuning.applied()\n",
            timeout=60,
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        marker = tmp_path / ".ls-workbench/state/default/closing/closing/0/closed"
        assert not marker.exists()
        if how == "restart":
            manager.restart_kernel(now=False)
        else:
            manager.shutdown_kernel(now=False)
        assert marker.read_text() == "closed"  # close() ran before the kernel process ended
    finally:
        client.stop_channels()
        if manager.is_alive():
            manager.shutdown_kernel(now=True)
