"""YAML loading keeps the line of every node path."""

from __future__ import annotations

from kernel_runtime.manifest.problems import format_path
from kernel_runtime.manifest.yaml_source import parse_yaml

TEXT = """\
# comment
pipeline:
  - name: a
    type: python-processor
    configuration:
      when: 2024-01-01
      admin:
        bootstrap.servers: x
  - name: b
"""


def test_lines_for_every_path() -> None:
    doc = parse_yaml(TEXT, "p.yaml")
    assert doc.lines[("pipeline",)] == 2
    assert doc.lines[("pipeline", 0)] == 3
    assert doc.lines[("pipeline", 0, "type")] == 4
    assert doc.lines[("pipeline", 0, "configuration", "admin", "bootstrap.servers")] == 8
    assert doc.lines[("pipeline", 1)] == 9
    assert doc.line(("pipeline", 1, "no-such-key")) == 9  # nearest ancestor


def test_dates_stay_text_as_in_jackson() -> None:
    doc = parse_yaml(TEXT, "p.yaml")
    assert doc.data["pipeline"][0]["configuration"]["when"] == "2024-01-01"


def test_duplicate_keys_are_noticed() -> None:
    doc = parse_yaml("a: 1\na: 2\n", "x.yaml")
    assert doc.data == {"a": 2} and doc.duplicates == [("a",)]


def test_format_path() -> None:
    assert format_path(("pipeline", 0, "configuration", "bootstrap.servers")) == (
        "pipeline[0].configuration['bootstrap.servers']"
    )
