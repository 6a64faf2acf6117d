"""The Python code of an agent cell: syntax check, which class is the agent, its module name.

LangStream names a Python agent by `className: <module>.<Class>`; in a notebook the cell is the
module, so we find the agent class in it (the one subclassing the SDK's Processor, Source, Sink
or Service, or defining their method) and pick a module name that cannot shadow an installed
module.
"""

from __future__ import annotations

import ast
import importlib.machinery
import keyword
import re
import sys
from pathlib import Path

from ls_workbench.errors import DefinitionError

# agent type -> (base class of the langstream SDK, the method that makes a class one)
PYTHON_AGENT_KINDS: dict[str, tuple[str, str]] = {
    "python-processor": ("Processor", "process"),
    "python-function": ("Processor", "process"),
    "python-source": ("Source", "read"),
    "python-sink": ("Sink", "write"),
    "python-service": ("Service", "main"),
}
_SDK_BASES = {"Processor", "Source", "Sink", "Service", "Agent"}
_AGENT_METHODS = {"process", "read", "write", "main"}


def is_python_type(agent_type: str) -> bool:
    return agent_type in PYTHON_AGENT_KINDS


def check_python_code(code: str, agent_id: str) -> ast.Module:
    """Parse the cell's code; a syntax error names the cell line, as the user sees it."""
    try:
        return ast.parse(code, filename=f"<agent {agent_id}>")
    except SyntaxError as error:
        text = (error.text or "").rstrip()
        pointer = f"\n    {text}" if text else ""
        raise DefinitionError(
            f"agent {agent_id!r}: syntax error at line {error.lineno} of the cell: "
            f"{error.msg}{pointer}"
        ) from None


def _base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):
            names.add(base.attr)
    return names


def agent_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """Top-level classes that look like agents: an SDK base class or an agent method."""
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        methods = {
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        if _base_names(node) & _SDK_BASES or methods & _AGENT_METHODS:
            found.append(node)
    return found


def infer_class_name(tree: ast.Module, agent_type: str, agent_id: str) -> str:
    """The one agent class the cell defines; several are told apart by the type's base class."""
    base, method = PYTHON_AGENT_KINDS[agent_type]
    candidates = agent_classes(tree)
    if len(candidates) > 1:
        matching = [
            node
            for node in candidates
            if base in _base_names(node)
            or method in {item.name for item in node.body if hasattr(item, "name")}
        ]
        candidates = matching or candidates
    if len(candidates) == 1:
        return candidates[0].name
    if not candidates:
        raise DefinitionError(
            f"agent {agent_id!r} ({agent_type}): the cell defines no agent class; define e.g. "
            f"`class MyAgent({base}):` with a `{method}` method (from langstream import {base})"
        )
    names = ", ".join(node.name for node in candidates)
    raise DefinitionError(
        f"agent {agent_id!r}: the cell defines several agent classes ({names}); "
        "say which one runs with --class-name NAME"
    )


def module_name_for(agent_id: str) -> str:
    """A module name from the agent id that does not shadow an importable module."""
    name = re.sub(r"\W", "_", agent_id).strip("_").lower() or "agent"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"agent_{name}"
    if _shadows(name):
        name = f"{name}_agent"
    return name


def _is_app_code_dir(entry: str | Path) -> bool:
    """A `python/` or `python/lib` folder of a LangStream application (put on sys.path by the
    agent loader); modules there belong to applications, not to the environment."""
    path = Path(entry)
    if path.name == "lib" and path.parent.name == "python":
        path = path.parent
    return path.name == "python" and any(path.parent.glob("*.yaml"))


def _shadows(name: str) -> bool:
    """True when `name` is importable from the environment (stdlib, site-packages, ...)."""
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return True
    module = sys.modules.get(name)
    origin = getattr(module, "__file__", None)
    if module is not None and not (origin and _is_app_code_dir(Path(origin).parent)):
        return True
    search = [entry for entry in sys.path if not _is_app_code_dir(entry or ".")]
    if importlib.machinery.PathFinder.find_spec(name, search) is not None:
        return True
    for finder in sys.meta_path:
        if finder is importlib.machinery.PathFinder or not hasattr(finder, "find_spec"):
            continue
        try:
            if finder.find_spec(name, None) is not None:
                return True
        except Exception:  # noqa: BLE001 - a third-party finder that cannot answer
            continue
    return False
