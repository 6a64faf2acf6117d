"""Implicit chaining, auto ids, dead-letter topics, merged specs and globals (chain app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel_runtime.manifest import (
    Application,
    ApplicationError,
    DiskSpec,
    ErrorsSpec,
    Location,
    ResourcesSpec,
    load_application,
)


@pytest.fixture
def app(apps: Path, instance_file: Path, secrets_file: Path) -> Application:
    return load_application(apps / "chain", instance=instance_file, secrets=secrets_file, env={})


def test_auto_ids_and_implicit_topics(app: Application) -> None:
    agents = {a.id: a for a in app.agents()}
    assert list(agents) == [
        "pipeline-python-processor-1",
        "pipeline-python-processor-2",
        "last-step",
        "chat-service",
        "side-extra-python-sink-1",  # module prefix outside the default module
    ]
    first, second, last = (agents[k] for k in list(agents)[:3])
    # the topic between two agents is named after the agent that reads it
    assert (first.input, first.output) == ("input-topic", "agent-pipeline-python-processor-2-input")
    assert (first.input_implicit, first.output_implicit) == (False, True)
    assert second.input == first.output and second.input_implicit
    assert second.output == "agent-last-step-input"
    assert (last.input, last.output, last.output_implicit) == (
        "agent-last-step-input",
        "output-topic",
        False,
    )
    assert agents["chat-service"].input is None and agents["chat-service"].component == "service"
    assert (
        first.location == Location("pipeline.yaml", 16)
        and str(first.location) == "pipeline.yaml:16"
    )


def test_topics_declared_implicit_and_dead_letter(app: Application) -> None:
    topics = app.topics()
    assert topics["input-topic"].implicit is False
    assert topics["input-topic"].deletion_mode == "none"  # LangStream's default
    assert topics["output-topic"].partitions == 2
    implicit = topics["agent-last-step-input"]
    assert (implicit.implicit, implicit.creation_mode, implicit.partitions) == (
        True,
        "create-if-not-exists",
        0,
    )
    # second step has on-failure: dead-letter, reading an implicit topic
    dead = topics["agent-pipeline-python-processor-2-input-deadletter"]
    assert dead.implicit and dead.creation_mode == "create-if-not-exists"
    side = topics["side-input-deadletter"]
    assert side.implicit is False
    assert app.agent("side-extra-python-sink-1").dead_letter_topic == "side-input-deadletter"


def test_resources_and_errors_merge_agent_pipeline_defaults(app: Application) -> None:
    first = app.agents()[0]
    assert first.resources == ResourcesSpec(parallelism=1, size=2)  # pipeline size: 2
    assert first.errors == ErrorsSpec(on_failure="fail", retries=3)  # pipeline retries: 3
    second = app.agents()[1]
    assert second.resources == ResourcesSpec(
        parallelism=2, size=2, disk=DiskSpec(enabled=True, type="default", size="256M")
    )
    assert second.errors == ErrorsSpec(on_failure="dead-letter", retries=3)
    assert app.agent("chat-service").resources == ResourcesSpec(parallelism=1, size=1)


def test_globals_instance_overrides_configuration_defaults(app: Application) -> None:
    assert app.globals == {"greeting": "hi", "settings": {"temperature": 0.5}}


def test_resources_by_id_or_name(app: Application) -> None:
    assert set(app.resources_by_name()) == {"OpenAI Azure configuration", "db"}


def test_resolved_copy(app: Application) -> None:
    resolved = app.resolved()
    config = {a.id: a.configuration for a in resolved.agents()}
    assert config["pipeline-python-processor-1"]["greeting"] == "hi"
    second = config["pipeline-python-processor-2"]
    assert second["port"] == 8443
    assert second["url"] == "http://api.example.invalid:8443/v1"
    assert second["prompt"] == "{{ value.question }}"
    assert config["last-step"]["settings"] == {"temperature": 0.5}
    admin = resolved.instance.streaming_cluster.configuration["admin"]
    assert admin["sasl.jaas.config"] == "username='alice'"
    assert resolved.gateways[3].authentication.configuration == {"clientId": ""}
    # the original is untouched
    assert app.agents()[0].configuration["greeting"] == "${globals.greeting}"


def test_resolved_without_secrets_warns(apps: Path, instance_file: Path) -> None:
    app = load_application(apps / "chain", instance=instance_file, env={})
    resolved = app.resolved()
    assert resolved.agents()[1].configuration["key"] is None
    assert any("secret 'open-ai' is not defined" in w.message for w in resolved.warnings)


def test_instance_and_secrets_objects_are_accepted(
    apps: Path, instance_file: Path, secrets_file: Path
) -> None:
    from kernel_runtime.manifest import load_instance, load_secrets

    app = load_application(
        apps / "chain",
        instance=load_instance(instance_file, env={}),
        secrets=load_secrets(secrets_file, env={}),
        env={},
    )
    assert app.resolved().agents()[0].configuration["greeting"] == "hi"


def test_service_agent_cannot_follow_another(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n"
        "pipeline:\n"
        "  - type: python-processor\n    input: in\n    configuration: {className: a.B}\n"
        "  - type: python-service\n    configuration: {className: a.C}\n"
    )
    with pytest.raises(ApplicationError) as caught:
        load_application(tmp_path, env={})
    [problem] = caught.value.problems
    assert problem.message == (
        "service agents (python-service) cannot have an input (it follows another agent in the pipeline)"
    )
    assert (problem.line, problem.path) == (7, "pipeline[1]")
