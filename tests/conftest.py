"""Shared fixtures: test application folders under tests/apps, run on the embedded broker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kernel_runtime.agents.executor import ExecutorOptions
from kernel_runtime.manifest import load_application
from kernel_runtime.runtime import ApplicationRuntime, RuntimeOptions

APPS = Path(__file__).parent / "apps"
PROJECT_ROOT = Path(__file__).parent.parent

# tansu / Kafka fixtures (make_broker, broker, tansu) and the run of tests/runtime on both brokers
pytest_plugins = ["tests.kafka.fixtures"]


def fast_options(state_root: Path, **executor: object) -> RuntimeOptions:
    """Short backoffs and poll timeouts, so failure paths run in milliseconds."""
    settings = {"initial_backoff": 0.001, "max_backoff": 0.005, "poll_timeout": 0.02}
    settings.update(executor)
    return RuntimeOptions(state_root=state_root, executor=ExecutorOptions(**settings))


@pytest.fixture
async def start_app(tmp_path, make_broker):
    """`await start_app("exclamation-processor")` -> a started ApplicationRuntime, stopped after.

    Without `broker=`, each call gets a new broker of the test's kind (embedded, or Kafka on tansu).
    """
    started: list[ApplicationRuntime] = []

    async def start(
        name: str | Path,
        *,
        instance: Path | None = None,
        secrets: Path | None = None,
        agents: list[str] | None = None,
        options: RuntimeOptions | None = None,
        broker=None,
    ) -> ApplicationRuntime:
        app_dir = name if isinstance(name, Path) else APPS / name
        app = load_application(app_dir, instance=instance, secrets=secrets).resolved()
        if broker is None:
            broker = await make_broker()
        runtime = ApplicationRuntime(app, broker, options or fast_options(tmp_path / "state"))
        started.append(runtime)
        await runtime.start(agents)
        return runtime

    yield start
    for runtime in reversed(started):
        await runtime.stop()


@pytest.fixture
def python_executable() -> str:
    return sys.executable
