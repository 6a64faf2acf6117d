"""The LangStream CLI's treatment of instance and secrets files: env expansion, <file:...>."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kernel_runtime.manifest import ApplicationError, load_instance, load_secrets
from kernel_runtime.manifest.env_expand import EnvExpansionError, expand_env
from kernel_runtime.manifest.file_refs import inline_file_refs, is_text_file


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${HOST}", {"HOST": "kafka"}, "kafka"),
        ("${HOST:-localhost}:9092", {}, "localhost:9092"),
        ("${HOST:-localhost}", {"HOST": ""}, ""),  # set but empty wins, as in Java
        ("${EMPTY:-}", {}, ""),
        ("${UNSET}", {}, "${UNSET}"),  # unknown and no default: left as is
        ("${ secrets.kafka.username }", {}, "${ secrets.kafka.username }"),
        ("$${HOST}", {"HOST": "kafka"}, "${HOST}"),  # escaped
        ("a ${A} b ${B:-2}", {"A": "1"}, "a 1 b 2"),
        ("${OUTER}", {"OUTER": "${INNER}", "INNER": "deep"}, "deep"),  # values expand again
        ("${X:-${Y}}", {"Y": "y"}, "${Y}"),  # the name ends at the first "}", as in Java
        ("no placeholders", {}, "no placeholders"),
    ],
)
def test_expand_env_like_string_substitutor(text: str, env: dict, expected: str) -> None:
    assert expand_env(text, env) == expected


def test_expand_env_cycle_is_an_error() -> None:
    with pytest.raises(EnvExpansionError, match="A -> B -> A"):
        expand_env("${A}", {"A": "${B}", "B": "${A}"})


def test_text_files_are_inlined_and_others_base64(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "key.json").write_text('{"k": 1}')
    (tmp_path / "bundle.zip").write_bytes(b"\x00\x01\xff")
    text = inline_file_refs("a=<file:sub/key.json> b=<file:bundle.zip>", tmp_path)
    assert text == 'a={"k": 1} b=base64:' + base64.b64encode(b"\x00\x01\xff").decode()
    assert is_text_file("notes.TXT") and is_text_file("context")  # LangStream's endsWith
    assert not is_text_file("bundle.zip")


def test_instance_env_defaults_apply_and_placeholders_survive(instance_file: Path) -> None:
    instance = load_instance(instance_file, env={})
    admin = instance.streaming_cluster.configuration["admin"]
    assert admin["bootstrap.servers"] == "localhost:9092"
    assert admin["sasl.jaas.config"] == "username='${ secrets.kafka.username }'"
    instance = load_instance(instance_file, env={"KAFKA_BOOTSTRAP": "broker:29092"})
    assert instance.streaming_cluster.configuration["admin"]["bootstrap.servers"] == "broker:29092"


def test_secrets_files_expand_env_and_inline_files(secrets_file: Path) -> None:
    secrets = load_secrets(secrets_file, env={"OPEN_AI_KEY": "sk-123"})
    data = secrets.by_id()["open-ai"].data
    assert data["access-key"] == "sk-123"
    assert data["url"] == "https://example.invalid"
    assert data["port"] == 8443  # numbers are not strings, so they are left alone
    assert data["prompt"] == "You are a helpful assistant.\n"
    assert data["bundle"].startswith("base64:")
    assert secrets.by_id()["kafka"].data == {"username": "alice"}


def test_missing_file_reference_is_a_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "secrets.yaml"
    path.write_text("secrets:\n  - id: x\n    data:\n      key: <file:missing.txt>\n")
    with pytest.raises(ApplicationError) as caught:
        load_secrets(path, env={})
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (4, "secrets[0].data.key")
    assert problem.message.startswith("cannot read file 'missing.txt'")


def test_secret_checks(tmp_path: Path) -> None:
    path = tmp_path / "secrets.yaml"
    path.write_text("secrets:\n  - id: a\n  - id: a\n  - name: no-id\n")
    with pytest.raises(ApplicationError) as caught:
        load_secrets(path, env={})
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (3, "found duplicate secret id: a"),
        (4, "found secret without id"),
    ]
