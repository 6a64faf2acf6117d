"""The source of an agent class given as a Python object, as a module that runs on its own.

`Workbench.define_agent(..., code=MyProcessor)` must write real code to `python/<module>.py`
(that is what exports and deploys), so we need the class's source and the imports it relies
on. Classes defined in notebook cells have no source file `inspect` can read; their methods'
code objects still name the cell, whose text IPython keeps in `linecache`.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import textwrap
import types
from typing import Any

from ls_workbench.errors import DefinitionError


def _cell_source(cls: type) -> str | None:
    """Find the class in the text of the cell (or file) its methods were compiled from."""
    for member in vars(cls).values():
        function = getattr(member, "__func__", member)
        code = getattr(function, "__code__", None)
        if code is None:
            continue
        lines = linecache.getlines(code.co_filename)
        if not lines:
            continue
        text = "".join(lines)
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                return textwrap.dedent("".join(lines[start - 1 : node.end_lineno]))
    return None


def class_source(cls: type) -> str:
    """`cls`'s source with the imports of the names it uses from its module's globals."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        found = _cell_source(cls)
        if found is None:
            raise DefinitionError(
                f"cannot find the source of class {cls.__name__}; pass the code as a string, "
                "or define the agent with the %%langstream_agent cell magic"
            ) from None
        source = found
    imports = _imports_for(source, _namespace(cls), cls.__name__)
    return "\n".join(imports) + ("\n\n\n" if imports else "") + source


def _namespace(cls: type) -> dict[str, Any]:
    """Names the class can see: its module's globals, its bases, its methods' closures."""
    namespace: dict[str, Any] = {}
    module = inspect.getmodule(cls)
    if module is not None:
        namespace.update(vars(module))
    for member in vars(cls).values():
        function = getattr(member, "__func__", member)
        if not isinstance(function, types.FunctionType):
            continue
        namespace.update(function.__globals__)
        for name, cell in zip(
            function.__code__.co_freevars, function.__closure__ or (), strict=False
        ):
            try:
                namespace[name] = cell.cell_contents
            except ValueError:  # an empty cell
                continue
    for base in cls.__bases__:
        namespace.setdefault(base.__name__, base)
    return namespace


def _imports_for(source: str, namespace: dict[str, Any], class_name: str) -> list[str]:
    tree = ast.parse(source)
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    }
    defined |= {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    lines = []
    for name in sorted(used - defined - set(dir(builtins))):
        if name not in namespace:
            continue
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            lines.append(
                f"import {value.__name__}"
                if value.__name__ == name
                else f"import {value.__name__} as {name}"
            )
            continue
        origin = getattr(value, "__module__", None)
        if origin and origin != "__main__" and getattr(value, "__name__", None) == name:
            lines.append(f"from {origin} import {name}")
            continue
        raise DefinitionError(
            f"class {class_name} uses {name!r}, which is defined in the notebook, not in a "
            "module; move it into the agent's code (a %%langstream_agent cell) so the agent "
            "runs on its own"
        )
    return lines
