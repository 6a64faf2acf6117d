"""LangStream's published examples on our runtime: run what we can, refuse the rest clearly.

The examples come as YAML only (their Python code is not published with them), so Python agents
cannot load; agents of types we cannot run yet must be refused up front, by name.
"""

from __future__ import annotations

import pytest

from kernel_runtime.agents.factory import PYTHON_AGENT_TYPES, runnable_types
from kernel_runtime.manifest import load_application
from kernel_runtime.runtime import ApplicationRuntime, UnrunnableApplication
from tests.manifest.conftest import examples_dir

APPLICATIONS = examples_dir() / "applications"
SECRETS = examples_dir() / "secrets" / "secrets.yaml"
FOLDERS = sorted(p.parent for p in APPLICATIONS.rglob("*.yaml") if p.name != "configuration.yaml")
FOLDERS = sorted(set(FOLDERS))

pytestmark = pytest.mark.skipif(
    not APPLICATIONS.is_dir(), reason=f"LangStream examples not found at {APPLICATIONS}"
)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: str(p.relative_to(APPLICATIONS)))
def test_example_is_run_or_refused_by_agent(folder, tmp_path):
    app = load_application(folder, secrets=SECRETS, env={}).resolved()
    runtime = ApplicationRuntime(app)
    unrunnable = [a for a in app.agents() if a.type not in runnable_types()]
    if unrunnable:
        with pytest.raises(UnrunnableApplication) as refused:
            runtime.check_runnable(runtime.plans)
        for agent in unrunnable:
            assert f"agent {agent.id!r}" in str(refused.value)
            assert f"type {agent.type!r}" in str(refused.value)
    else:
        runtime.check_runnable(runtime.plans)


async def test_gateway_authentication_example_runs_end_to_end(tmp_path):
    """Its pipeline is an `identity` agent: fully runnable here, unchanged."""
    app = load_application(
        APPLICATIONS / "gateway-authentication", secrets=SECRETS, env={}
    ).resolved()
    assert not [a for a in app.agents() if a.type in PYTHON_AGENT_TYPES]
    async with ApplicationRuntime(app) as runtime:
        await runtime.send("input-topic", "hello", key="k")
        out = await runtime.collect("output-topic", count=1, timeout=5)
    assert [(r.value(), r.key()) for r in out] == [("hello", "k")]
