"""What the notebook's cells define, and the LangStream application folder it becomes.

The cells define topics, agents and gateways; `Definitions.write` turns them into a real
application folder (one `pipeline.yaml`, `gateways.yaml`, `configuration.yaml`, and
`python/<module>.py` per Python agent cell with `className: <module>.<Class>`), which is then
loaded and validated by `kernel_runtime.manifest` exactly like any folder written by hand. So
what runs in the notebook is what exports and deploys.

Topics that agents or gateways read or write but no cell declared are declared in the folder
with `creation-mode: create-if-not-exists` (LangStream requires every topic to be declared).
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kernel_runtime.manifest.dump import to_yaml
from kernel_runtime.manifest.models.gateways import Gateway
from kernel_runtime.manifest.models.pipeline import ON_FAILURE_VALUES, TopicDefinition
from ls_workbench.agent_code import PYTHON_AGENT_KINDS, is_python_type
from ls_workbench.errors import DefinitionError

__all__ = ["PYTHON_AGENT_KINDS", "AgentDefinition", "Definitions", "is_python_type"]

PIPELINE_FILE = "pipeline.yaml"
CREATE_IF_NOT_EXISTS = "create-if-not-exists"

# -- parsing cell bodies -------------------------------------------------------------------


def parse_yaml_items(body: str | dict | list | None, what: str) -> list[dict[str, Any]]:
    """A cell body holding one mapping or a list of mappings, as LangStream spells them."""
    if isinstance(body, str):
        try:
            data = yaml.safe_load(body) if body.strip() else None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(error, "problem", None) or str(error)
            raise DefinitionError(f"the {what} YAML is not valid{where}: {problem}") from None
    else:
        data = body
    if data is None:
        raise DefinitionError(f"the {what} definition is empty; write the {what} as YAML")
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            raise DefinitionError(
                f"each {what} must be a YAML mapping (key: value lines), got {item!r}"
            )
    return [dict(item) for item in items]


def parse_configuration(body: str | dict | None, agent_id: str) -> dict[str, Any]:
    """The YAML `configuration` of a non-Python agent (an empty body means no configuration)."""
    if body is None or (isinstance(body, str) and not body.strip()):
        return {}
    if isinstance(body, dict):
        return dict(body)
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise DefinitionError(
            f"agent {agent_id!r}: the configuration YAML is not valid{where}: "
            f"{getattr(error, 'problem', None) or error}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DefinitionError(
            f"agent {agent_id!r}: the cell body is the agent's `configuration`, a YAML mapping; "
            f"got {type(data).__name__}"
        )
    return data


def _checked(spec: dict[str, Any], key: str, kind: str, model: Any) -> dict[str, Any]:
    """`spec` unchanged once it has its identifying `key` and passes `model`'s validation."""
    ident = spec.get(key)
    if not isinstance(ident, str) or not ident:
        raise DefinitionError(
            f"a {kind} needs {'an' if key[0] in 'aeiou' else 'a'} `{key}:`; got {spec!r}"
        )
    try:
        model.model_validate(spec)
    except ValidationError as error:
        raise DefinitionError(f"{kind} {ident!r}: {_first_error(error)}") from None
    return spec


def checked_topic(spec: dict[str, Any]) -> dict[str, Any]:
    """A topic mapping in LangStream spelling, checked against the topic model."""
    return _checked(spec, "name", "topic", TopicDefinition)


def checked_gateway(spec: dict[str, Any]) -> dict[str, Any]:
    """A gateway mapping in LangStream spelling, checked against the gateway model."""
    return _checked(spec, "id", "gateway", Gateway)


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"unknown field `{where}` (LangStream spells fields like `creation-mode`)"
    return f"`{where}`: {first['msg']}"


# -- the definitions -------------------------------------------------------------------------


@dataclass
class AgentDefinition:
    """One agent cell: its step in the pipeline and, for Python agents, its code."""

    id: str
    type: str
    name: str | None = None
    input: str | None = None
    output: str | None = None
    configuration: dict[str, Any] = field(default_factory=dict)
    parallelism: int | None = None
    disk: str | None = None
    retries: int | None = None
    on_failure: str | None = None
    code: str | None = None
    module: str | None = None
    class_name: str | None = None

    def step(self) -> dict[str, Any]:
        """The `pipeline:` item in LangStream spelling."""
        step: dict[str, Any] = {"name": self.name or self.id, "id": self.id, "type": self.type}
        if self.input:
            step["input"] = self.input
        if self.output:
            step["output"] = self.output
        configuration = dict(self.configuration)
        if self.code is not None:
            configuration["className"] = f"{self.module}.{self.class_name}"
        resources: dict[str, Any] = {}
        if self.parallelism is not None:
            resources["parallelism"] = self.parallelism
        if self.disk:
            resources["disk"] = {"enabled": True, "size": self.disk}
        if resources:
            step["resources"] = resources
        errors: dict[str, Any] = {}
        if self.retries is not None:
            errors["retries"] = self.retries
        if self.on_failure is not None:
            errors["on-failure"] = self.on_failure
        if errors:
            step["errors"] = errors
        if configuration:
            step["configuration"] = configuration
        return step

    def topics(self) -> list[str]:
        """Topics this agent names: input, output, and routing destinations."""
        names = [self.input, self.output]
        names.append(self.configuration.get("destination"))
        routes = self.configuration.get("routes")
        for route in routes if isinstance(routes, list) else []:
            if isinstance(route, dict):
                names.append(route.get("destination"))
        return [n for n in names if isinstance(n, str) and n]


def check_agent_options(agent: AgentDefinition) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", agent.id):
        raise DefinitionError(
            f"agent id {agent.id!r}: use letters, digits, '-', '_' or '.', starting with a "
            "letter or digit (it names the executor and its consumer group)"
        )
    if agent.on_failure is not None and agent.on_failure not in ON_FAILURE_VALUES:
        raise DefinitionError(
            f"agent {agent.id!r}: --on-failure must be one of {', '.join(ON_FAILURE_VALUES)}; "
            f"got {agent.on_failure!r}"
        )
    if agent.parallelism is not None and agent.parallelism < 1:
        raise DefinitionError(f"agent {agent.id!r}: --parallelism must be >= 1")
    if agent.retries is not None and agent.retries < 0:
        raise DefinitionError(f"agent {agent.id!r}: --retries must be >= 0")


def _gateway_topics(spec: dict[str, Any]) -> list[str]:
    names = [spec.get("topic"), spec.get("events-topic")]
    for options_key in ("chat-options", "service-options"):
        options = spec.get(options_key) or {}
        for key in ("questions-topic", "answers-topic", "input-topic", "output-topic"):
            names.append(options.get(key))
    return [n for n in names if isinstance(n, str) and n]


@dataclass
class Definitions:
    """Everything the cells defined, in definition order; `write` makes it a folder."""

    name: str
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    agents: dict[str, AgentDefinition] = field(default_factory=dict)
    gateways: dict[str, dict[str, Any]] = field(default_factory=dict)
    configuration: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Definitions:
        return copy.deepcopy(self)

    def implicit_topics(self) -> list[str]:
        """Topics named by agents or gateways that no cell declared."""
        named: list[str] = []
        for agent in self.agents.values():
            named += agent.topics()
        for gateway in self.gateways.values():
            named += _gateway_topics(gateway)
        return [
            name for name in dict.fromkeys(named) if name not in self.topics and "${" not in name
        ]

    def pipeline_data(self) -> dict[str, Any]:
        topics = list(self.topics.values()) + [
            {"name": name, "creation-mode": CREATE_IF_NOT_EXISTS} for name in self.implicit_topics()
        ]
        data: dict[str, Any] = {"name": self.name}
        if topics:
            data["topics"] = topics
        data["pipeline"] = [agent.step() for agent in self.agents.values()]
        return data

    def write(self, app_dir: Path) -> list[Path]:
        """Write the folder; files of the folder that no definition produces are removed."""
        app_dir.mkdir(parents=True, exist_ok=True)
        python_dir = app_dir / "python"
        wanted: dict[Path, str] = {}
        if self.agents or self.topics:
            wanted[app_dir / PIPELINE_FILE] = to_yaml(self.pipeline_data())
        if self.gateways:
            wanted[app_dir / "gateways.yaml"] = to_yaml({"gateways": list(self.gateways.values())})
        if self.configuration:
            wanted[app_dir / "configuration.yaml"] = to_yaml({"configuration": self.configuration})
        for agent in self.agents.values():
            if agent.code is not None:
                wanted[python_dir / f"{agent.module}.py"] = agent.code
        for stale in _files(app_dir, ("*.yaml",)) + _files(python_dir, ("*.py",)):
            if stale not in wanted:
                stale.unlink()
                _forget_bytecode(stale)
        for path, text in wanted.items():
            _write_if_changed(path, text)
        return sorted(wanted)


def _files(folder: Path, patterns: Iterable[str]) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for pattern in patterns for path in folder.glob(pattern) if path.is_file()]


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    _forget_bytecode(path)


def _forget_bytecode(source: Path) -> None:
    """Drop cached bytecode: a rewrite within the same second and size would look unchanged."""
    cache = source.parent / "__pycache__"
    if source.suffix == ".py" and cache.is_dir():
        for compiled in cache.glob(f"{source.stem}.*.pyc"):
            compiled.unlink(missing_ok=True)


def remove_folder(folder: Path) -> None:
    if folder.is_dir():
        shutil.rmtree(folder)
