"""Every LangStream example application loads, validates, resolves and round-trips.

The examples are LangStream's own (YAML only, Apache-2.0), read in place from
LS_EXAMPLES_DIR or <project>/../shared/langstream-examples, with the examples'
kafka-docker instance and shared secrets file and an empty environment, so the
`${VAR:-default}` defaults of secrets.yaml apply.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel_runtime.manifest import ApplicationError, dump_application, load_application

from .conftest import examples_dir

EXAMPLES = examples_dir()
APPLICATIONS = EXAMPLES / "applications"
INSTANCE = EXAMPLES / "instances" / "kafka-docker.yaml"
SECRETS = EXAMPLES / "secrets" / "secrets.yaml"


def _application_folders() -> list[Path]:
    if not APPLICATIONS.is_dir():
        return []
    return sorted({p.parent for p in APPLICATIONS.rglob("*.yaml")})


FOLDERS = _application_folders()
pytestmark = pytest.mark.skipif(
    not FOLDERS,
    reason=f"LangStream examples not found at {EXAMPLES} (set LS_EXAMPLES_DIR)",
)


def _load(folder: Path):
    try:
        return load_application(folder, instance=INSTANCE, secrets=SECRETS, env={})
    except ApplicationError as error:  # show every problem in the failure
        pytest.fail(str(error))


def test_examples_are_all_found() -> None:
    assert len(FOLDERS) >= 39
    assert APPLICATIONS / "python" / "python-processor-exclamation" in FOLDERS


@pytest.mark.parametrize(
    "folder", FOLDERS, ids=[str(f.relative_to(APPLICATIONS)) for f in FOLDERS] or None
)
def test_example_loads_resolves_and_round_trips(folder: Path, tmp_path: Path) -> None:
    app = _load(folder)
    assert app.pipelines, "every example has at least one pipeline file"
    assert [w for w in app.warnings if w.severity != "warning"] == []

    agents = app.agents()
    assert agents
    assert len({a.id for a in agents}) == len(agents)
    topics = app.topics()
    for agent in agents:
        for name in (agent.input, agent.output):
            assert name is None or name in topics

    resolved = app.resolved()
    assert [a.id for a in resolved.agents()] == [a.id for a in agents]
    for agent in resolved.agents():
        for value in agent.configuration.values():
            assert "${secrets." not in str(value)
            assert "${globals." not in str(value)

    dump_application(app, tmp_path / "dump")
    again = load_application(tmp_path / "dump", instance=INSTANCE, secrets=SECRETS, env={})
    assert again == app

    def view(agent):
        return agent.model_dump(exclude={"location"})

    assert [view(a) for a in again.agents()] == [view(a) for a in agents]
