"""Import the user's agent classes from an application's `python/` folder, as LangStream does.

LangStream puts `python/` and `python/lib` on the path and imports `className`
(`module.path.ClassName`). In one process we may run several applications whose modules share
names (every example has an `example.py`), so before importing we evict cached modules of the
same top-level name that were loaded from another folder.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import sys
import traceback
from pathlib import Path


class AgentCodeError(Exception):
    """The agent's Python code cannot be loaded; the message says where and how to fix it."""


def python_paths(app_dir: Path) -> list[Path]:
    """`python/` and `python/lib` of the application, where they exist."""
    paths = [app_dir / "python", app_dir / "python" / "lib"]
    return [path for path in paths if path.is_dir()]


def _evict_foreign(top_level: str, paths: list[Path]) -> None:
    module = sys.modules.get(top_level)
    if module is None:
        return
    origin = getattr(module, "__file__", None) or ""
    if origin and any(Path(origin).resolve().is_relative_to(p.resolve()) for p in paths):
        return
    for name in [n for n in sys.modules if n == top_level or n.startswith(top_level + ".")]:
        del sys.modules[name]


def _ensure_on_path(paths: list[Path]) -> None:
    for path in reversed(paths):
        entry = str(path)
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)
    importlib.invalidate_caches()


def load_agent_class(
    app_dir: Path, class_name: str, *, agent_id: str, reload: bool = False
) -> type:
    """The class named by `className`, imported from the application's python folders.

    `reload=True` re-imports the module even when it is cached (a notebook cell was re-run).
    """
    if not class_name or "." not in class_name:
        raise AgentCodeError(
            f"agent {agent_id!r}: className {class_name!r} must be 'module.ClassName' "
            "(for example 'example.Exclamation' for class Exclamation in python/example.py)"
        )
    module_name, _, attribute = class_name.rpartition(".")
    paths = python_paths(app_dir)
    _evict_foreign(module_name.split(".")[0], paths)
    if reload:
        for name in [n for n in sys.modules if n == module_name or n.startswith(module_name + ".")]:
            del sys.modules[name]
    _ensure_on_path(paths)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as error:
        raise AgentCodeError(
            f"agent {agent_id!r}: syntax error in {error.filename}:{error.lineno}: {error.msg}\n"
            f"    {(error.text or '').rstrip()}"
        ) from error
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            available = sorted(
                p.stem for path in paths for p in path.iterdir() if p.suffix == ".py" or p.is_dir()
            )
            raise AgentCodeError(
                f"agent {agent_id!r}: className {class_name!r}: no module {module_name!r} in "
                f"{', '.join(str(p) for p in paths) or str(app_dir / 'python') + ' (missing)'}; "
                f"modules there: {', '.join(available) or 'none'}"
            ) from error
        raise AgentCodeError(
            f"agent {agent_id!r}: module {module_name!r} imports {error.name!r}, which is not "
            f"installed; add it to python/lib or install it (pip install {error.name})"
        ) from error
    except Exception as error:
        where = traceback.extract_tb(error.__traceback__)[-1]
        raise AgentCodeError(
            f"agent {agent_id!r}: importing {module_name!r} raised "
            f"{type(error).__name__}: {error} (at {where.filename}:{where.lineno})"
        ) from error
    cls = getattr(module, attribute, None)
    if not inspect.isclass(cls):
        candidates = [n for n, v in vars(module).items() if inspect.isclass(v)]
        close = difflib.get_close_matches(attribute, candidates, n=1)
        hint = f"; did you mean {module_name}.{close[0]!r}?" if close else ""
        raise AgentCodeError(
            f"agent {agent_id!r}: module {module_name!r} ({getattr(module, '__file__', '?')}) "
            f"has no class {attribute!r}{hint}"
        )
    return cls
