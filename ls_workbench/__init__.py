"""ls-workbench: build and run LangStream applications cell by cell in a notebook.

%load_ext ls_workbench          # registers %langstream_app, %%langstream_agent, ...
from ls_workbench import Workbench, current
"""

from __future__ import annotations

from typing import Any

__all__ = ["Workbench", "current", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext ls_workbench`: register the LangStream magics."""
    from ls_workbench.magics import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str) -> Any:
    # imported lazily: the `ls-workbench` command must not pay for IPython and ipywidgets
    if name in ("Workbench", "current"):
        from ls_workbench import workbench

        return getattr(workbench, name)
    raise AttributeError(f"module 'ls_workbench' has no attribute {name!r}")
