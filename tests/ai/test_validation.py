"""Agent-specific configuration errors are found when the application is loaded (validate),
not at the first record; what cannot run in the kernel is a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel_runtime.manifest import ApplicationError, load_application

from .test_rag_app import APP as RAG_APP


def write_app(folder: Path, pipeline: str, configuration: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pipeline.yaml").write_text(pipeline)
    if configuration:
        (folder / "configuration.yaml").write_text(configuration)
    return folder


PIPELINE = """
topics:
  - name: in
    creation-mode: create-if-not-exists
pipeline:
  - name: split
    type: text-splitter
    input: in
    configuration:
      chunk_size: 10
      chunk_overlap: 50
"""


def test_bad_agent_configuration_fails_validation(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError) as raised:
        load_application(write_app(tmp_path / "app", PIPELINE))
    [problem] = raised.value.problems
    assert problem.file == "pipeline.yaml" and problem.line == 9
    assert "chunk_overlap" in problem.message and "larger than chunk_size" in problem.message


def test_catalogue_errors_are_not_reported_twice(tmp_path: Path) -> None:
    pipeline = PIPELINE.replace("chunk_overlap: 50", "chunk_overlap: 50\n      chunk-size: 3")
    with pytest.raises(ApplicationError) as raised:
        load_application(write_app(tmp_path / "app", pipeline))
    assert len(raised.value.problems) == 1
    assert "unknown configuration key 'chunk-size'" in raised.value.problems[0].message


def test_what_cannot_run_here_is_a_warning(tmp_path: Path) -> None:
    pipeline = """
pipeline:
  - name: jms
    type: camel-source
    configuration:
      component-uri: "jms:queue:orders"
"""
    app = load_application(write_app(tmp_path / "app", pipeline))
    [warning] = [w for w in app.warnings if "jms" in w.message]
    assert "LangStream cluster" in warning.message


def test_placeholders_are_checked_at_run_time_not_load_time() -> None:
    load_application(RAG_APP)  # ai-service: ${globals...}, url: ${secrets...}


def test_chat_completion_template_error_is_found_at_load(tmp_path: Path) -> None:
    pipeline = """
topics:
  - name: q
    creation-mode: create-if-not-exists
pipeline:
  - name: chat
    type: ai-chat-completions
    input: q
    configuration:
      model: m
      messages:
        - content: "{{# value.docs}} unclosed"
"""
    configuration = """
configuration:
  resources:
    - type: open-ai-configuration
      name: openai
      configuration:
        access-key: k
"""
    with pytest.raises(ApplicationError, match="not a valid Mustache template"):
        load_application(write_app(tmp_path / "app", pipeline, configuration))
