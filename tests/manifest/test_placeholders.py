"""Placeholder resolution with LangStream's ApplicationPlaceholderResolver rules."""

from __future__ import annotations

from typing import Any

import pytest

from kernel_runtime.manifest.placeholders import PlaceholderIssue, PlaceholderResolver

CONTEXT: dict[str, Any] = {
    "secrets": {"open-ai": {"access-key": "sk", "port": 8443, "opts": {"b": 2, "a": True}}},
    "globals": {"topic": "questions", "ratio": 0.5, "enabled": False, "empty": None},
    "cluster": {"type": "kafka", "configuration": {}},
}


def resolve(value: Any) -> tuple[Any, list[PlaceholderIssue]]:
    issues: list[PlaceholderIssue] = []
    return PlaceholderResolver(CONTEXT, issues.append).value(value), issues


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${secrets.open-ai.access-key}", "sk"),
        ("${ secrets.open-ai.access-key }", "sk"),  # spaces inside
        ("  ${secrets.open-ai.port}  ", 8443),  # whole placeholder keeps the type
        ("${globals.enabled}", False),
        ("${secrets.open-ai.opts}", {"b": 2, "a": True}),
        ("${globals.empty}", None),
        ("port=${secrets.open-ai.port}", "port=8443"),  # embedded: text
        ("${globals.topic}-${globals.ratio}", "questions-0.5"),
        ("o=${secrets.open-ai.opts}", 'o={"a":true,"b":2}'),  # compact JSON, sorted keys
        ("e=${globals.empty}", "e="),  # null inside text is empty
        ("${cluster.type}", "kafka"),
        ("{{ value.question }}", "{{ value.question }}"),  # Mustache is per record
        ("{{% if value.x %}}", "{{% if value.x %}}"),
        ("key {{ secrets.open-ai.access-key }}", "key sk"),  # 0.x syntax is resolved
        ("{{{ globals.topic }}}", "questions"),
        # at the first non-secrets/globals tag LangStream keeps the whole string
        ("{{ secrets.open-ai.access-key }} {{ value.q }}", "{{ secrets.open-ai.access-key }} {{ value.q }}"),
        ("plain text", "plain text"),
    ],
)  # fmt: skip
def test_resolution(template: str, expected: Any) -> None:
    value, issues = resolve(template)
    assert value == expected
    assert issues == []


def test_nested_structures_are_resolved() -> None:
    value, _ = resolve({"a": ["${globals.topic}", {"b": "${secrets.open-ai.port}"}], "n": 3})
    assert value == {"a": ["questions", {"b": 8443}], "n": 3}


def test_missing_references_warn_and_give_null() -> None:
    value, issues = resolve({"k": "${secrets.open-ai.nope}", "s": "x${secrets.missing.key}y"})
    assert value == {"k": None, "s": "xy"}
    assert [(i.path, i.severity, i.root) for i in issues] == [
        (("k",), "warning", "secrets"),
        (("s",), "warning", "secrets"),
    ]
    assert issues[0].message == (
        "secret 'open-ai' has no key 'nope' (referenced as ${secrets.open-ai.nope})"
    )
    assert issues[1].message.startswith("secret 'missing' is not defined")


def test_unknown_root_and_unclosed_placeholder_are_errors() -> None:
    _, issues = resolve(["${value.question}", "echo ${HOME"])
    assert [(i.path, i.severity) for i in issues] == [((0,), "error"), ((1,), "error")]
    assert issues[0].message.startswith("unknown placeholder root 'value'")
    assert "has no closing '}'" in issues[1].message
