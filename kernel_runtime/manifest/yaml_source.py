"""YAML loading that remembers the line of every node, so problems can point at them.

PyYAML's composer keeps a start mark on each node; we build the usual Python data from
the node tree and, alongside, a map from node path (`("pipeline", 0, "type")`) to line.
Timestamps are left as strings: LangStream (Jackson) never turns `2024-01-01` into a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kernel_runtime.manifest.problems import NodePath, ProblemSink


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlDoc:
    """A parsed YAML file: its data, its name for messages, and the line of each path."""

    file: str
    data: Any
    lines: dict[NodePath, int] = field(default_factory=dict)
    duplicates: list[NodePath] = field(default_factory=list)

    def line(self, path: NodePath) -> int | None:
        probe = tuple(path)
        while True:
            if probe in self.lines:
                return self.lines[probe]
            if not probe:
                return None
            probe = probe[:-1]


def _record(node: yaml.Node, path: NodePath, doc: YamlDoc, stack: set[int]) -> None:
    """Walk the node tree recording lines; aliases are walked once per path (no cycles)."""
    if id(node) in stack:
        return
    stack.add(id(node))
    try:
        if isinstance(node, yaml.MappingNode):
            seen: set[object] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = key_node.value
                if key == "<<":
                    _record(value_node, path, doc, stack)
                    continue
                child = (*path, key)
                if key in seen:
                    doc.duplicates.append(child)
                seen.add(key)
                doc.lines[child] = key_node.start_mark.line + 1
                _record(value_node, child, doc, stack)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                doc.lines[child] = item.start_mark.line + 1
                _record(item, child, doc, stack)
    finally:
        stack.discard(id(node))


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse one YAML document; raises yaml.YAMLError on broken YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        doc = YamlDoc(file=file, data=None, lines={(): 1})
        if node is None:
            return doc
        doc.lines[()] = node.start_mark.line + 1
        _record(node, (), doc, set())
        doc.data = loader.construct_document(node)
        return doc
    finally:
        loader.dispose()


def read_yaml(path: Path, file: str, sink: ProblemSink) -> YamlDoc | None:
    """Read and parse a file, reporting unreadable files and broken YAML into `sink`."""
    sink.lines.setdefault(file, {})  # remembers the reading order, for sorting problems
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        sink.unreadable.add(file)
        sink.warning(file, (), "skipped: the file is not UTF-8 text (LangStream skips it too)")
        return None
    except OSError as error:
        sink.unreadable.add(file)
        sink.error(file, (), f"cannot read the file: {error.strerror or error}")
        return None
    try:
        doc = parse_yaml(text, file)
    except yaml.MarkedYAMLError as error:
        sink.unreadable.add(file)
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        column = f":{mark.column + 1}" if mark is not None else ""
        what = error.problem or error.context or "invalid YAML"
        context = f" ({error.context})" if error.context and error.problem else ""
        sink.add(
            file,
            (),
            f"invalid YAML at {file}:{line}{column}: {what}{context}",
            "fix the YAML syntax (indentation, quotes, ':' after keys)",
            line=line,
        )
        return None
    except yaml.YAMLError as error:
        sink.unreadable.add(file)
        sink.error(file, (), f"invalid YAML: {error}")
        return None
    sink.lines[file] = doc.lines
    for dup in doc.duplicates:
        sink.warning(
            file,
            dup,
            f"key '{dup[-1]}' is given twice in the same block",
            "remove one: the last one wins, as in LangStream",
        )
    return doc
