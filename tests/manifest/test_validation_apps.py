"""Broken application folders: every problem is reported at once, with file, line, path, fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel_runtime.manifest import ApplicationError, Problem, load_application

from .conftest import APPS, SHARED


def problems_of(name: str, **kwargs) -> list[Problem]:
    kwargs.setdefault("instance", SHARED / "instance.yaml")
    kwargs.setdefault("secrets", SHARED / "secrets.yaml")
    with pytest.raises(ApplicationError) as caught:
        load_application(APPS / name, env={}, **kwargs)
    error = caught.value
    assert isinstance(error, ValueError)
    # str() lists every problem, one per line, after a heading
    shown = [str(p) if p.severity == "error" else f"warning: {p}" for p in error.problems]
    assert str(error).splitlines()[1:] == shown
    return error.problems


def where(problems: list[Problem]) -> list[tuple[str, int | None, str]]:
    return [(p.file, p.line, p.path) for p in problems if p.severity == "error"]


def test_problem_str_reads_like_a_sentence() -> None:
    problem = Problem(
        "pipeline.yaml", 7, "pipeline[0].type", "unknown agent type 'python-procesor'",
        "did you mean 'python-processor'?", "error",
    )  # fmt: skip
    assert str(problem) == (
        "unknown agent type 'python-procesor' in pipeline.yaml:7 (pipeline[0].type); "
        "did you mean 'python-processor'?"
    )
    warning = Problem("a.yaml", None, "", "odd", None, "warning")
    assert str(warning) == "odd in a.yaml"


def test_broken_yaml_reports_line_and_column_and_other_files_too() -> None:
    problems = problems_of("bad-yaml")
    assert where(problems) == [
        ("gateways.yaml", 5, "gateways[0].typo-key"),
        ("pipeline.yaml", 6, ""),
    ]
    broken = problems[1]
    assert broken.message.startswith("invalid YAML at pipeline.yaml:6:6: ")
    assert problems[0].hint == "did you mean 'type'?"
    # the gateway's topic is declared in the broken file: no invented "undeclared topic"


def test_unknown_keys_everywhere_with_did_you_mean() -> None:
    problems = problems_of("unknown-keys")
    assert [(p.file, p.line, p.path, p.hint) for p in problems] == [
        ("configuration.yaml", 2, "configuration.resource", "did you mean 'resources'?"),
        ("pipeline.yaml", 4, "topics[0].creation_mode", "did you mean 'creation-mode'?"),
        ("pipeline.yaml", 5, "pipelines", "did you mean 'pipeline'?"),
        ("pipeline.yaml", 10, "pipeline[0].inputs", "did you mean 'input'?"),
        ("pipeline.yaml", 14, "pipeline[0].resources.paralelism", "did you mean 'parallelism'?"),
    ]
    assert problems[3].message == "unknown key 'inputs' in pipeline"


def test_unknown_agent_type_missing_type_and_catalogue_fields() -> None:
    problems = problems_of("unknown-agent-type")
    assert [(p.line, p.path, p.hint) for p in problems] == [
        (6, "pipeline[0].type", "did you mean 'python-processor'?"),
        (11, "pipeline[1]", "add `type:` (for example python-processor)"),
        (16, "pipeline[2].configuration", "add `fields:` under configuration (Fields to drop from the input record.)"),
        (17, "pipeline[2].configuration.field", "did you mean 'fields'?"),
    ]  # fmt: skip
    assert str(problems[0]) == (
        "unknown agent type 'python-procesor' in pipeline.yaml:6 (pipeline[0].type); "
        "did you mean 'python-processor'?"
    )
    assert problems[1].message == "agent type is always required (check agent name no type)"
    assert (
        problems[2].message
        == "agent 'pipeline-drop-fields-3' (drop-fields) needs configuration 'fields'"
    )


def test_missing_secrets_warn_and_unknown_placeholder_roots_fail() -> None:
    problems = problems_of("missing-secret")
    assert [(p.severity, p.line, p.path) for p in problems] == [
        ("error", 12, "pipeline[0].configuration.bad"),
        ("warning", 9, "pipeline[0].configuration.key"),
        ("warning", 10, "pipeline[0].configuration.other"),
    ]
    assert (
        problems[0].message == "unknown placeholder root 'value' (referenced as ${value.question})"
    )
    assert problems[1].message == (
        "secret 'open-ai' has no key 'no-such-key' (referenced as ${secrets.open-ai.no-such-key})"
    )
    assert (
        problems[1].hint
        == "add 'no-such-key' under the data of secret 'open-ai' in the secrets file"
    )
    assert problems[2].message.startswith("secret 'no-such-secret' is not defined")


def test_without_secrets_file_secrets_are_not_checked() -> None:
    problems = problems_of("missing-secret", secrets=None)
    assert [p.path for p in problems] == ["pipeline[0].configuration.bad"]


def test_dangling_topics() -> None:
    problems = problems_of("dangling-topic")
    assert [(p.line, p.path, p.hint) for p in problems] == [
        (6, "pipeline[0].input", "did you mean 'questions-topic'?"),
        (7, "pipeline[0].output", 'declare it under `topics:` (- name: "answers-topic") in a pipeline file'),
    ]  # fmt: skip
    assert problems[0].message == "topic 'question-topic' is not defined in module 'default'"


def test_duplicate_ids_conflicting_topics_and_kubernetes_names() -> None:
    problems = problems_of("duplicate-ids")
    assert where(problems) == [
        ("gateways.yaml", 5, "gateways[1].id"),
        ("two.yaml", 2, "topics[0]"),
        ("two.yaml", 5, "pipeline[0].id"),
        ("two.yaml", 5, "pipeline[0]"),
        ("two.yaml", 10, "pipeline[1].id"),
    ]
    by_path = {p.path: p for p in problems}
    assert by_path["gateways[1].id"].message == "gateway id 'gw' is used twice (also gateways[0])"
    assert "(at one.yaml:2)" in by_path["topics[0]"].message
    assert by_path["pipeline[0].id"].message == "agent id 'step' is used twice (also at one.yaml:4)"
    assert by_path["pipeline[1].id"].hint == "rename it, for example to 'bad-id'"
    # LangStream's BasicClusterRuntime: an agent followed by another needs an output
    assert by_path["pipeline[0]"].message == (
        "agent 'step' has no output, but agent 'Bad_Id' follows it in the same pipeline"
    )


def test_bad_errors_spec() -> None:
    problems = problems_of("bad-errors-spec")
    assert [(p.line, p.path, p.hint) for p in problems] == [
        (4, "errors.on-failure", "expected one of: dead-letter, fail, skip"),
        (10, "pipeline[0].errors.retries", "use 0 to fail on the first error, or a positive number of retries"),
        (11, "pipeline[0].errors.on-failure", "did you mean 'dead-letter'?"),
    ]  # fmt: skip


def test_bad_disk_size_and_parallelism() -> None:
    problems = problems_of("bad-disk-size")
    assert [(p.line, p.path) for p in problems] == [
        (8, "pipeline[0].resources.parallelism"),
        (11, "pipeline[0].resources.disk.size"),
    ]
    assert problems[1].message == "invalid disk size 'lots'"
    assert "'256M'" in (problems[1].hint or "")


def test_bad_gateways() -> None:
    problems = problems_of("bad-gateway")
    assert [(p.line, p.path, p.hint) for p in problems] == [
        (4, "gateways[0].topic", "did you mean 'questions-topic'?"),
        (10, "gateways[0].produce-options.headers[0].value-from-parameters", "did you mean 'sessionId'?"),
        (13, "gateways[1].chat-options", "add `answers-topic:`"),
        (18, "gateways[2].service-options.agent-id", "add a python-service agent with this id"),
        (23, "gateways[3].authentication.provider", "did you mean 'google'?"),
        (25, "gateways[4].type", "did you mean 'consume'?"),
    ]  # fmt: skip
    assert problems[2].message == "gateway of type 'chat' must have chat-options.answers-topic"


def test_all_problems_of_a_folder_come_together() -> None:
    problems = problems_of("all-at-once")
    assert where(problems) == [
        ("chatbot.yaml", 5, ""),
        ("gateways.yaml", 4, "gateways[0].chat-options"),
        ("pipeline.yaml", 4, "pipeline[0]"),
        ("pipeline.yaml", 5, "pipeline[0].type"),
        ("pipeline.yaml", 8, "pipeline[0].errors.on-failure"),
        ("pipeline.yaml", 17, "pipeline[1].resources.disk.size"),
    ]
    # 'no-such-topic' is not reported: the unreadable chatbot.yaml might declare it


def test_missing_folder_and_instance_inside_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError, match="application folder not found"):
        load_application(tmp_path / "nope")
    (tmp_path / "secrets.yaml").write_text("secrets: []\n")
    (tmp_path / "notes.yml").write_text("a: 1\n")
    with pytest.raises(ApplicationError) as caught:
        load_application(tmp_path, env={})
    [error, warning] = caught.value.problems
    assert error.message == "secrets.yaml must not be included in the application folder"
    assert warning.severity == "warning" and warning.hint == "rename it to notes.yaml"


def test_instance_checks(tmp_path: Path, apps: Path) -> None:
    instance = tmp_path / "instance.yaml"
    instance.write_text(
        "instance:\n  streamingCluster:\n    type: kafak\n  computeCluster:\n    type: k8s\n"
    )
    with pytest.raises(ApplicationError) as caught:
        load_application(apps / "chain", instance=instance, env={})
    assert [(p.line, p.path, p.hint) for p in caught.value.problems] == [
        (3, "instance.streamingCluster.type", "did you mean 'kafka'?"),
        (5, "instance.computeCluster.type", "expected one of: kubernetes, none"),
    ]


def test_wrong_value_types_are_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(
        "topics:\n  - name: in\n    partitions: many\npipeline: {type: python-processor}\n"
    )
    (tmp_path / "gateways.yaml").write_text(
        "gateways:\n  - id: g\n    type: produce\n    topic: int\n"
    )
    with pytest.raises(ApplicationError) as caught:
        load_application(tmp_path, env={})
    assert [(p.file, p.line, p.path) for p in caught.value.problems] == [
        ("gateways.yaml", 4, "gateways[0].topic"),
        ("pipeline.yaml", 3, "topics[0].partitions"),
        ("pipeline.yaml", 4, "pipeline"),
    ]
    problems = {p.path: p for p in caught.value.problems}
    assert problems["topics[0].partitions"].message.startswith("invalid value 'many': ")
    assert problems["pipeline"].message == "'pipeline' must be a list, found a mapping"
    assert problems["gateways[0].topic"].hint == "did you mean 'in'?"


def test_empty_pipeline_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text("# nothing yet\n")
    with pytest.raises(ApplicationError, match="the file is empty"):
        load_application(tmp_path, env={})


def test_topics_named_in_agent_configurations() -> None:
    problems = problems_of("config-topics", instance=None, secrets=None)
    assert [(p.line, p.path, p.hint) for p in problems] == [
        (12, "pipeline[0].configuration.routes[0].destination", "did you mean 'answers'?"),
        (15, "pipeline[0].configuration.routes[1].destination", "remove `destination:` or use `action: dispatch`"),
        (26, "pipeline[2].configuration.url", "point it at the chain's /invoke or /stream endpoint"),
        (28, "pipeline[2].configuration.stream-to-topic", "declare it under `topics:` in a pipeline file"),
    ]  # fmt: skip
    # 'events' and '${globals.events}' both match the topic declared as "${globals.events}"
