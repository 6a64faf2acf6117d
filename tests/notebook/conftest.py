"""Fixtures for the notebook layer: Workbenches in a temporary working directory."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from ls_workbench.workbench import Workbench

UPPER = """
from langstream import Processor, SimpleRecord


class Upper(Processor):
    def process(self, record):
        return [SimpleRecord(record.value().upper(), key=record.key(), headers=record.headers())]
"""


@pytest.fixture
def workbench(tmp_path):
    """A Workbench named `test-app` whose folder and state live under tmp_path."""
    created: list[Workbench] = []

    def make(name: str = "test-app", **options) -> Workbench:
        wb = Workbench(name, workdir=tmp_path, **options)
        created.append(wb)
        return wb

    yield make
    for wb in created:
        wb.close()


def wait_until(condition: Callable[[], object], timeout: float = 15.0, what: str = "") -> object:
    """Poll `condition` until it is truthy; generous timeout for a loaded CI machine."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.02)
